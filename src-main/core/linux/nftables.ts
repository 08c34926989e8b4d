import type { Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'

/**
 * The subset of nftables kube-proxy's nftables mode uses, kept structured so the packet walk can
 * evaluate it and `nft list ruleset` can print it. A rule is a list of expressions evaluated left
 * to right: a failing match ends the rule, a verdict ends the chain (or jumps).
 */
export type NftExpr =
  | { op: 'ct-state'; states: string[] }
  | { op: 'daddr-in-set'; set: string }
  /** `ip saddr @SET`: the source is a live (unexpired) element of the set. */
  | { op: 'saddr-in-set'; set: string }
  /** `update @SET { ip saddr }`: adds the source, or restarts its timeout (nft_dynset). */
  | { op: 'update-saddr'; set: string }
  /** `fib daddr type local`: the destination is one of this namespace's addresses. */
  | { op: 'fib-daddr-local' | 'fib-saddr-local' }
  | { op: 'daddr-in'; cidrs: Cidr[]; neg: boolean }
  | { op: 'saddr-in'; cidrs: Cidr[]; neg: boolean }
  | { op: 'daddr-eq'; ip: Ipv4 }
  | { op: 'saddr-eq'; ip: Ipv4 }
  | { op: 'l4proto-eq'; proto: 'tcp' | 'udp' }
  | { op: 'dport-eq'; proto: 'tcp' | 'udp'; port: number }
  | { op: 'mark-masq-unset'; bits: number }
  /** `ip daddr . meta l4proto . th dport vmap @MAP` or, with `keyProtoPortOnly`, `meta l4proto . th dport vmap @MAP`. */
  | { op: 'vmap'; map: string; key: 'addr-proto-port' | 'proto-port' }
  | { op: 'numgen-vmap'; targets: string[] }
  | { op: 'jump' | 'goto'; chain: string }
  | { op: 'return' | 'reject' | 'drop' }
  | { op: 'dnat'; ip: Ipv4; port: number; proto: 'tcp' | 'udp' }
  | { op: 'mark-or' | 'mark-xor'; bits: number }
  | { op: 'masquerade' }

export interface NftRule {
  exprs: NftExpr[]
  comment?: string
}

export interface NftChain {
  name: string
  /** Base chains hook into the stack; regular chains are only jumped to. */
  base?: {
    type: 'filter' | 'nat'
    hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting'
    priority: number
  }
  comment?: string
  rules: NftRule[]
}

/** A set of IPv4 addresses. */
export interface NftSet {
  name: string
  comment?: string
  elements: Ipv4[]
  /**
   * `flags dynamic,timeout` with a default timeout: the packet path adds elements, each
   * expiring (lab ms in `expiresAt`, parallel to `elements`) unless refreshed.
   */
  timeout?: { seconds: number; expiresAt: number[] }
}

/** A verdict map; keys are `ip . proto . port` or `proto . port` strings as nft prints them. */
export interface NftMap {
  name: string
  key: 'addr-proto-port' | 'proto-port'
  comment: string
  elements: NftMapElement[]
}

export interface NftTable {
  family: 'ip'
  name: string
  comment: string
  sets: NftSet[]
  maps: NftMap[]
  chains: NftChain[]
}

/** A verdict map element: enter a chain, or (a NodePort without local endpoints) drop. */
export type NftMapElement =
  | { key: string; verdict: 'goto' | 'jump'; chain: string; comment?: string }
  | { key: string; verdict: 'drop'; comment?: string }
