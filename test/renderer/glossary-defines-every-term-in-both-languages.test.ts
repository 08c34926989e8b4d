import { describe, expect, test } from 'vitest'
import { glossary } from '../../src-renderer/src/lib/glossary/terms.ts'

const han = /\p{Script=Han}/u

describe('the glossary', () => {
  test('names and defines every term in English and in Chinese', () => {
    const missing = glossary.flatMap((t) =>
      (['term', 'definition'] as const).flatMap((field) => [
        ...(t[field].en.trim() === '' ? [`${t.id}.${field}.en`] : []),
        ...(t[field]['zh-CN'].trim() === '' ? [`${t.id}.${field}.zh-CN`] : [])
      ])
    )
    expect(missing).toEqual([])
    // A Chinese definition copied from the English one would pass the check above.
    expect(glossary.filter((t) => !han.test(t.definition['zh-CN'])).map((t) => t.id)).toEqual([])
    expect(glossary.filter((t) => han.test(t.definition.en)).map((t) => t.id)).toEqual([])
  })

  test('gives each term a kebab-case id of its own and aliases no other term claims', () => {
    const ids = glossary.map((t) => t.id)
    expect(ids.filter((id) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id))).toEqual([])
    expect(new Set(ids).size).toBe(ids.length)
    const owner = new Map<string, string>()
    const claimedTwice: string[] = []
    for (const t of glossary)
      for (const alias of t.aliases.map((a) => a.toLowerCase())) {
        if ((owner.get(alias) ?? t.id) !== t.id) claimedTwice.push(alias)
        owner.set(alias, t.id)
      }
    expect(claimedTwice).toEqual([])
    expect(glossary.filter((t) => t.aliases.length === 0).map((t) => t.id)).toEqual([])
  })

  test('explains the words a newcomer meets first', () => {
    const known = new Set(glossary.flatMap((t) => t.aliases))
    const words = ['veth', 'VTEP', 'FDB', 'DNAT', 'SNAT', 'conntrack', 'ClusterIP', 'NodePort', 'podCIDR']
    const more = ['CNI', 'kube-proxy', 'bridge', 'ARP', 'MTU', 'VXLAN', 'iptables', 'hairpin', 'flannel']
    expect([...words, ...more].filter((w) => !known.has(w))).toEqual([])
  })
})
