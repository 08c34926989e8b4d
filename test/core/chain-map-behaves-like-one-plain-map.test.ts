import { describe, expect, test } from 'vitest'
import { ChainMap, newCounters, type IptChain } from '../../src-main/core/linux/netfilter.ts'
import { nextRandom, type RngState } from '../../src-main/core/net/rng.ts'

/**
 * A table's chains sit over a layer shared by every node kube-proxy writes identically. Whatever
 * is done to the table (iptables -N/-X/-F, a resync), it must read, iterate and count exactly
 * like the plain Map it replaces would: same entries, same order.
 */

const chain = (name: string, tag: number): IptChain => ({
  name,
  policyCounters: newCounters(),
  rules: [],
  ...(tag % 2 === 0 ? { policy: 'ACCEPT' as const } : {})
})

function layerOf(prefix: string, names: string[], tag: number): Map<string, IptChain> {
  return new Map(names.map((n) => [`${prefix}${n}`, chain(`${prefix}${n}`, tag)]))
}

describe('ChainMap', () => {
  test('a layer iterates between the chains that were there before it and the ones added after', () => {
    const m = new ChainMap([
      ['INPUT', chain('INPUT', 0)],
      ['OUTPUT', chain('OUTPUT', 0)]
    ])
    expect(m.attachLayer('KUBE-', layerOf('KUBE-', ['A', 'B'], 1))).toBe(true)
    m.set('FLANNEL-FWD', chain('FLANNEL-FWD', 1))
    expect([...m.keys()]).toEqual(['INPUT', 'OUTPUT', 'KUBE-A', 'KUBE-B', 'FLANNEL-FWD'])
    expect(m.size).toBe(5)
    expect(m.get('KUBE-B')?.name).toBe('KUBE-B')
  })

  test('changing a chain of the layer leaves the other namespaces sharing it alone', () => {
    const layer = layerOf('KUBE-', ['A', 'B'], 1)
    const a = new ChainMap([['INPUT', chain('INPUT', 0)]])
    const b = new ChainMap([['INPUT', chain('INPUT', 0)]])
    a.attachLayer('KUBE-', layer)
    b.attachLayer('KUBE-', layer)
    const mine = chain('KUBE-A', 3)
    a.set('KUBE-A', mine)
    a.delete('KUBE-B')
    expect([...a.entries()].map(([k, v]) => [k, v === mine])).toEqual([
      ['INPUT', false],
      ['KUBE-A', true]
    ])
    expect([...b.keys()]).toEqual(['INPUT', 'KUBE-A', 'KUBE-B'])
    expect(layer.size).toBe(2)
  })

  test('a layer is refused when one of its names is already a chain of the table', () => {
    const m = new ChainMap([['KUBE-A', chain('KUBE-A', 1)]])
    expect(m.attachLayer('KUBE-', layerOf('KUBE-', ['A'], 1))).toBe(false)
    expect(m.layerPrefix).toBeUndefined()
  })

  test('random edits read, iterate and resolve built-in chains and jumps exactly like a plain Map', () => {
    const rng: RngState = { seed: 99 }
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(nextRandom(rng) * xs.length)]!
    const hooks = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const
    const names = [...hooks, 'KUBE-A', 'KUBE-B', 'KUBE-C', 'FLANNEL-X', 'USER-1', 'USER-2']
    // One target object per name for the whole run, as rules parsed once are shared.
    const jumps = names.map((chain) => ({ kind: 'jump' as const, chain, goto: false }))
    for (let round = 0; round < 100; round++) {
      const m = new ChainMap()
      const ref = new Map<string, IptChain>()
      let layer: Map<string, IptChain> | undefined
      for (let step = 0; step < 40; step++) {
        const op = pick(['set', 'set', 'delete', 'attach', 'detach', 'clear'] as const)
        const name = pick(names)
        if (op === 'set') {
          const c = chain(name, step)
          m.set(name, c)
          ref.set(name, c)
        } else if (op === 'delete') {
          expect(m.delete(name)).toBe(ref.delete(name))
        } else if (op === 'attach') {
          const candidate = layerOf('KUBE-', [pick(['A', 'B', 'C']), pick(['A', 'B', 'C'])], step)
          const clash = [...candidate.keys()].some((k) => ref.has(k))
          const attached = m.attachLayer('KUBE-', candidate)
          expect(attached).toBe(layer === undefined && !clash)
          if (attached) {
            layer = candidate
            for (const [k, v] of candidate) ref.set(k, v)
          }
        } else if (op === 'detach') {
          if (layer && m.layerPrefix !== undefined) {
            for (const k of layer.keys()) ref.delete(k)
            m.detachLayer()
          }
          layer = undefined
        } else {
          m.clear()
          ref.clear()
          layer = undefined
        }
        if (m.layerPrefix === undefined) layer = undefined
        // Identity, not deep equality: the very chain objects, in the very order.
        const same = (a: unknown[], b: unknown[]): boolean =>
          a.length === b.length && a.every((x, i) => x === b[i])
        expect([...m.keys()]).toEqual([...ref.keys()])
        expect(same([...m.values()], [...ref.values()])).toBe(true)
        expect(same([...m.entries()].flat(), [...ref.entries()].flat())).toBe(true)
        expect(same([...m].flat(), [...ref].flat())).toBe(true)
        expect(m.size).toBe(ref.size)
        expect(names.every((n) => m.has(n) === ref.has(n) && m.get(n) === ref.get(n))).toBe(true)
        expect(hooks.every((h) => m.hookChain(h) === ref.get(h))).toBe(true)
        expect(jumps.every((j) => m.jumpTarget(j) === ref.get(j.chain))).toBe(true)
        const seen: string[] = []
        m.forEach((_c, k) => seen.push(k))
        expect(seen).toEqual([...ref.keys()])
      }
    }
  })
})
