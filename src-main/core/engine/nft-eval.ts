import type { NftChain, NftExpr, NftTable } from '../linux/nftables.ts'
import type { Netns } from '../linux/netns.ts'
import { cidrContains } from '../net/cidr.ts'
import { isLocalAddress } from '../linux/ops.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import { randomInt, type RngState } from '../net/rng.ts'
import { formatNftRule } from '../linux/nft-format.ts'
import { setMark, type Packet } from './packet.ts'
import type { RuleHit } from './trace.ts'
import type { TableResult } from './iptables-eval.ts'

type NftHook = NonNullable<NftChain['base']>['hook']

function key(p: Packet, kind: 'addr-proto-port' | 'proto-port'): string | undefined {
  if (p.l4.kind === 'icmp') return undefined
  const pp = `${p.l4.kind} . ${p.l4.dport}`
  return kind === 'proto-port' ? pp : `${formatIpv4(p.dst)} . ${pp}`
}

/**
 * Runs one nftables base chain: expressions left to right, a failed match skips the rest of
 * the rule, jump/goto/vmap enter other chains, `return` or the end of a regular chain goes back.
 */
export function runNftChain(
  ns: Netns,
  table: NftTable,
  base: NftChain,
  p: Packet,
  ctstate: string,
  rng: RngState,
  nowMs: number
): TableResult {
  const hits: RuleHit[] = []
  let evaluated = 0
  const chains = new Map(table.chains.map((c) => [c.name, c]))
  const maps = new Map(table.maps.map((m) => [m.name, m]))
  const sets = new Map(table.sets.map((s) => [s.name, s]))
  const run = (chain: NftChain, depth: number): TableResult['verdict'] | 'return' | undefined => {
    if (depth > 16) return undefined
    for (let i = 0; i < chain.rules.length; i++) {
      const rule = chain.rules[i]!
      evaluated++
      for (const e of rule.exprs) {
        const out = evalExpr(e)
        if (out === false) break
        if (out === true) continue
        hits.push({
          table: `ip ${table.name}`,
          chain: chain.name,
          rule: i + 1,
          text: formatNftRule(rule),
          id: `${ns.id}/nft/${table.name}/${chain.name}/${i + 1}`,
          target: out.kind === 'enter' ? `${out.goto ? 'goto' : 'jump'}:${out.chain}` : out.kind
        })
        if (out.kind === 'enter') {
          const next = chains.get(out.chain)
          if (!next) break
          const v = run(next, depth + 1)
          if (out.goto) return v === 'return' ? 'return' : v
          if (v !== undefined && v !== 'return') return v
          break
        }
        if (out.kind === 'return') return 'return'
        if (out.kind === 'accept') return { kind: 'ACCEPT' }
        if (out.kind === 'drop') return { kind: 'DROP' }
        if (out.kind === 'reject') return { kind: 'REJECT', rejectWith: 'icmp-port-unreachable' }
        if (out.kind === 'dnat')
          return { kind: 'NAT', target: { kind: 'DNAT', toIp: out.ip, toPort: out.port } }
        if (out.kind === 'masquerade')
          return { kind: 'NAT', target: { kind: 'MASQUERADE', randomFully: true } }
      }
    }
    return undefined
  }
  type Out =
    | boolean
    | { kind: 'enter'; chain: string; goto: boolean }
    | { kind: 'return' | 'accept' | 'drop' | 'reject' | 'masquerade' }
    | { kind: 'dnat'; ip: number; port: number }
  const evalExpr = (e: NftExpr): Out => {
    switch (e.op) {
      case 'ct-state':
        return e.states.includes(ctstate.toLowerCase())
      case 'fib-daddr-local':
        return isLocalAddress(ns, p.dst)
      case 'fib-saddr-local':
        return isLocalAddress(ns, p.src)
      case 'daddr-in-set':
        return sets.get(e.set)?.elements.includes(p.dst) ?? false
      case 'saddr-in-set': {
        const set = sets.get(e.set)
        const i = set ? set.elements.indexOf(p.src) : -1
        return i >= 0 && (set!.timeout === undefined || set!.timeout.expiresAt[i]! > nowMs)
      }
      case 'update-saddr': {
        const set = sets.get(e.set)
        if (!set?.timeout) return true
        const expires = nowMs + set.timeout.seconds * 1000
        const i = set.elements.indexOf(p.src)
        if (i >= 0) set.timeout.expiresAt[i] = expires
        else {
          set.elements.push(p.src)
          set.timeout.expiresAt.push(expires)
        }
        return true
      }
      case 'daddr-in':
        return e.cidrs.some((c) => cidrContains(c, p.dst)) !== e.neg
      case 'saddr-in':
        return e.cidrs.some((c) => cidrContains(c, p.src)) !== e.neg
      case 'daddr-eq':
        return p.dst === e.ip
      case 'saddr-eq':
        return p.src === e.ip
      case 'l4proto-eq':
        return p.l4.kind === e.proto
      case 'dport-eq':
        return p.l4.kind === e.proto && p.l4.dport === e.port
      case 'mark-masq-unset':
        return (p.mark & e.bits) === 0
      case 'vmap': {
        const k = key(p, e.key)
        const el = k === undefined ? undefined : maps.get(e.map)?.elements.find((x) => x.key === k)
        if (!el) return false
        return el.verdict === 'drop'
          ? { kind: 'drop' }
          : { kind: 'enter', chain: el.chain, goto: el.verdict === 'goto' }
      }
      case 'numgen-vmap': {
        const pick = e.targets[randomInt(rng, 0, e.targets.length - 1)]
        return pick === undefined ? false : { kind: 'enter', chain: pick, goto: true }
      }
      case 'jump':
      case 'goto':
        return { kind: 'enter', chain: e.chain, goto: e.op === 'goto' }
      case 'return':
      case 'drop':
      case 'reject':
      case 'masquerade':
        return { kind: e.op }
      case 'dnat':
        return { kind: 'dnat', ip: e.ip, port: e.port }
      case 'mark-or':
        setMark(p, (p.mark | e.bits) >>> 0)
        return true
      case 'mark-xor':
        setMark(p, (p.mark ^ e.bits) >>> 0)
        return true
    }
  }
  const v = run(base, 0)
  return { verdict: v === undefined || v === 'return' ? { kind: 'ACCEPT' } : v, evaluated, hits }
}

/** Base chains of a hook in priority order. */
export function nftChainsFor(table: NftTable, hook: NftHook, type?: 'filter' | 'nat'): NftChain[] {
  return table.chains
    .filter((c) => c.base?.hook === hook && (type === undefined || c.base.type === type))
    .sort((a, b) => a.base!.priority - b.base!.priority)
}
