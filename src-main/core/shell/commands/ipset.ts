/** `ipset list` / `ipset save` (ipset 7.17): the sets kube-proxy's IPVS mode and kube-router's policies make. */
import type { Command } from '../command.ts'
import { fail, ok } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import type { IpSet, Netfilter } from '../../linux/netfilter.ts'

const VERSION = 'ipset v7.17'
const REVISION: Record<IpSet['type'], number> = {
  'hash:ip': 6,
  'hash:net': 7,
  'hash:ip,port': 7,
  'hash:ip,port,ip': 7,
  'bitmap:port': 4
}

function header(set: IpSet): string {
  const family = set.type === 'bitmap:port' ? 'range 0-65535' : 'family inet hashsize 1024 maxelem 65536'
  const timeout = set.timeout === undefined ? '' : ` timeout ${set.timeout}`
  const comment = set.comment ? ' comment' : ''
  const seed =
    set.type === 'bitmap:port'
      ? ''
      : ` bucketsize 12 initval 0x${(set.initval ?? 0).toString(16).padStart(8, '0')}`
  return `${family}${timeout}${comment}${seed}`
}

/** hash:net prints a /32 as the bare address. */
function member(set: IpSet, key: string, nomatch: boolean): string {
  const text = set.type === 'hash:net' ? key.replace(/\/32$/, '') : key
  return `${text}${set.timeout === undefined ? '' : ` timeout ${set.timeout}`}${nomatch ? ' nomatch' : ''}`
}

/** The kernel's hash buckets decide the real order; the lab lists nomatch entries first, as a fresh set prints them. */
function members(set: IpSet): string[] {
  return [
    ...[...(set.nomatch ?? [])].map((k) => member(set, k, true)),
    ...[...set.entries].map((k) => member(set, k, false))
  ]
}

function references(nf: Netfilter, name: string): number {
  let n = 0
  for (const table of [nf.filter, nf.nat, nf.mangle])
    for (const chain of table.chains.values())
      for (const rule of chain.rules)
        for (const m of rule.matches) if (m.module === 'set' && m.setName === name) n++
  return n
}

/**
 * Not the kernel's allocation arithmetic: fitted to what 7.17 on a 6.1 kernel reports for small
 * sets with `timeout` (344 bytes for two hash:ip entries, 648 for three hash:net ones).
 */
function sizeInMemory(set: IpSet): number {
  const n = set.entries.size + (set.nomatch?.size ?? 0)
  return set.type === 'hash:net' ? 456 + 64 * n : 216 + 64 * n
}

function listSet(nf: Netfilter, set: IpSet): string {
  const m = members(set)
  return [
    `Name: ${set.name}`,
    `Type: ${set.type}`,
    `Revision: ${REVISION[set.type]}`,
    `Header: ${header(set)}`,
    `Size in memory: ${sizeInMemory(set)}`,
    `References: ${references(nf, set.name)}`,
    `Number of entries: ${m.length}`,
    'Members:',
    ...m
  ].join('\n')
}

function saveSet(set: IpSet): string {
  return [
    `create ${set.name} ${set.type} ${header(set)}`,
    ...members(set).map((m) => `add ${set.name} ${m}`)
  ].join('\n')
}

export const ipsetCommand: Command = {
  name: 'ipset',
  summary: 'list or save the IP sets',
  availableOn: ['node'],
  run(argv, ctx) {
    const ns = (ctx.lab as Lab).netns.get(ctx.target.netns)!
    const args = argv.filter(
      (a) => a !== '-n' && a !== '-name' && a !== '-o' && a !== 'plain' && a !== 'save'
    )
    const namesOnly = argv.includes('-n') || argv.includes('-name')
    const cmd = argv[0]
    const isList = cmd === 'list' || cmd === '-L' || cmd === '--list'
    const isSave = cmd === 'save' || cmd === '-S' || cmd === '--save' || (isList && argv.includes('save'))
    if (!isList && !isSave)
      return fail(
        `${VERSION}: ${cmd === undefined ? 'No command specified.' : `No command specified: unknown argument ${cmd}`}\nTry \`ipset help' for more documentation.\n`,
        1
      )
    const wanted = args.slice(1)
    const sets = wanted.length === 0 ? [...ns.ipsets.values()] : wanted.map((n) => ns.ipsets.get(n))
    if (sets.some((s) => s === undefined))
      return fail(`${VERSION}: The set with the given name does not exist\n`, 1)
    const chosen = sets as IpSet[]
    if (namesOnly) return ok(chosen.map((s) => `${s.name}\n`).join(''))
    if (isSave) return ok(chosen.map((s) => `${saveSet(s)}\n`).join(''))
    return ok(chosen.map((s) => `${listSet(ns.netfilter, s)}\n`).join('\n'))
  }
}
