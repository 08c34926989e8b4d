import type { ErrorReason } from '../../src-main/api/error-reasons.ts'
import { overwriteGetLocale } from '../../src-renderer/src/lib/i18n/paraglide/runtime.js'

let locale: 'en' | 'zh-CN' = 'en'
overwriteGetLocale(() => locale)

/** What `read` says in English and in Chinese; the locale is English again afterwards. */
export function inEach(read: () => string): { en: string; zh: string } {
  locale = 'en'
  const en = read()
  locale = 'zh-CN'
  const zh = read()
  locale = 'en'
  return { en, zh }
}

export const han = /\p{Script=Han}/u

/**
 * Names a Chinese sentence keeps in Latin letters as Chinese Kubernetes texts do: the product,
 * the file format, Kubernetes objects and components and the fields that carry their names.
 */
const keptNames = [
  'Podnet Lab',
  'YAML',
  'kube-proxy',
  'kubelet',
  'maxPods',
  'podCIDR',
  'NodePort',
  'Service',
  'Pod',
  '.zip'
]

/** Parameters that pick a wording rather than appear in it: ids such as `too_long`. */
const wordedKeys = new Set(['expected', 'problem', 'what'])

/**
 * The English words left in a sentence once the reason's parameters (names, numbers, paths)
 * and the kept names are taken out: an untranslated fragment shows up here.
 */
export function englishWordsIn(sentence: string, reason: ErrorReason): string[] {
  const values = Object.entries(reason.params as Record<string, unknown>)
    .filter(([key, value]) => value !== undefined && !wordedKeys.has(key))
    .map(([, value]) => String(value))
  let rest = sentence
  for (const value of [...values, ...keptNames].sort((a, b) => b.length - a.length))
    rest = rest.split(value).join(' ')
  return rest.match(/[A-Za-z]{2,}/g) ?? []
}
