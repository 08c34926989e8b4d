import MarkdownIt from 'markdown-it'
import type { CommandRegistry, TargetKind } from '../shell/command.ts'
import { defaultRegistry } from '../shell/commands/index.ts'
import { isBusyboxImage } from '../shell/dialect.ts'
import type { Scenario } from '../scenario/scenario.schema.ts'
import { commandText } from './command-target.ts'
import type { LessonIssue } from './issues.ts'
import { LOCALES } from './lesson.schema.ts'
import { scenarioNames, targetProblem } from './lesson-rules.ts'

/** A command lesson Markdown says where to run (`node-1$ ip route`), as the renderer reads it. */
export interface TargetedCommand {
  readonly on: string
  readonly command: string
  /** The text as the author wrote it, target included, to quote in an issue. */
  readonly written: string
}

// The renderer's options: both must see the same code spans and fences.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false })

/** Every code span and fenced line of `markdown` that names its shell. */
export function targetedCommands(markdown: string): TargetedCommand[] {
  const found: TargetedCommand[] = []
  const take = (written: string): void => {
    const { on, command } = commandText(written)
    if (on !== undefined) found.push({ on, command, written: written.trim() })
  }
  for (const token of md.parse(markdown, {})) {
    if (token.type === 'fence') token.content.split('\n').forEach(take)
    else if (token.type === 'inline')
      for (const child of token.children ?? []) if (child.type === 'code_inline') take(child.content)
  }
  return found
}

/** Markdown of a lesson and where it sits, for the issue that names it. */
export interface LessonText {
  readonly file: string
  readonly path: string
  readonly markdown: string
}

let registry: CommandRegistry | undefined

/**
 * Commands whose shell is not in the lesson's scenario, or whose tool that shell does not have
 * (`client$ kubectl get pods`: pods carry no kubectl): the learner's click would end in
 * `not found`, so the lesson is refused like any other broken name.
 */
export function checkCommandTargets(texts: readonly LessonText[], scenario: Scenario): LessonIssue[] {
  const names = scenarioNames(scenario)
  const kinds = targetKinds(scenario)
  const images = targetImages(scenario)
  registry ??= defaultRegistry()
  const issues: LessonIssue[] = []
  for (const text of texts) {
    for (const command of targetedCommands(text.markdown)) {
      const add = (reason: string): void => {
        issues.push({ file: text.file, path: text.path, reason: `\`${command.written}\`: ${reason}` })
      }
      const problem = targetProblem(names, command.on)
      if (problem !== undefined) {
        add(problem)
        continue
      }
      const kind = command.on.includes('/') ? 'container' : kinds.get(command.on)
      const tool = registry.get(command.command.split(/\s+/)[0] ?? '')
      if (kind && tool?.availableOn && !tool.availableOn.includes(kind))
        add(`${command.on} has no ${tool.name} (it runs on ${andList(tool.availableOn.map(kindName))} only)`)
      else if (tool?.notInBusybox && isBusyboxImage(images.get(command.on) ?? ''))
        add(`${command.on} has no ${tool.name} (the busybox image has no such applet)`)
    }
  }
  return issues
}

/**
 * Every per-locale string of lesson.yaml, with its YAML path (`steps[2].hints[0].en`): hints,
 * explanations and feedback are rendered as Markdown, so their commands are checked too.
 */
export function localizedTexts(file: string, value: unknown, path = ''): LessonText[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => localizedTexts(file, item, `${path}[${i}]`))
  if (typeof value !== 'object' || value === null) return []
  const entries = Object.entries(value)
  const localized =
    entries.length === LOCALES.length &&
    entries.every(([key, text]) => (LOCALES as readonly string[]).includes(key) && typeof text === 'string')
  if (localized)
    return entries.map(([locale, text]) => ({ file, path: `${path}.${locale}`, markdown: text as string }))
  return entries.flatMap(([key, item]) => localizedTexts(file, item, path === '' ? key : `${path}.${key}`))
}

function targetKinds(scenario: Scenario): Map<string, TargetKind> {
  return new Map<string, TargetKind>([
    ...scenario.nodes.map((node) => [node.name, 'node'] as const),
    ...scenario.pods.map((pod) => [pod.name, 'pod'] as const),
    ...scenario.externalHosts.map((host) => [host.name, 'external'] as const)
  ])
}

/** The image each pod and container name runs: a pod's is its first container's, as `kubectl exec` picks it. */
function targetImages(scenario: Scenario): Map<string, string> {
  return new Map(
    scenario.pods.flatMap((pod) => [
      [pod.name, pod.containers[0]?.image ?? ''] as const,
      ...pod.containers.map((c) => [`${pod.name}/${c.name}`, c.image ?? ''] as const)
    ])
  )
}

function kindName(kind: TargetKind): string {
  return { node: 'nodes', pod: 'pods', container: 'containers', external: 'external hosts' }[kind]
}

function andList(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`
}
