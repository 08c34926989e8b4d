/**
 * `nft list ruleset|tables|table|chain|set|map` (nftables 1.0.6): kube-proxy's own table in nftables mode, and the
 * tables iptables-nft keeps for iptables rules (flanneld's), translated the way nft shows them.
 */
import type { Command } from '../command.ts'
import { fail, ok } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import {
  formatNftChain,
  formatNftMap,
  formatNftObject,
  formatNftSet,
  formatNftTable,
  formatPriority
} from '../../linux/nft-format.ts'
import type { Counters, IptMatch, IptRule, IptTableName, Netfilter } from '../../linux/netfilter.ts'
import { chainsInSaveOrder, countedBy } from '../../linux/netfilter.ts'
import { formatCidr } from '../../net/cidr.ts'
import { formatIpv4 } from '../../net/ipv4.ts'

const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`

function matchText(m: IptMatch): string | undefined {
  switch (m.module) {
    case 'comment':
      return undefined
    case 'tcp':
    case 'udp':
      return (
        [
          m.sport ? `${m.module} sport ${m.sport.neg ? '!= ' : ''}${m.sport.value}` : '',
          m.dport ? `${m.module} dport ${m.dport.neg ? '!= ' : ''}${m.dport.value}` : ''
        ]
          .filter(Boolean)
          .join(' ') || undefined
      )
    case 'mark':
      return `meta mark & ${hex8(m.mask)} ${m.neg ? '!=' : '=='} ${hex8(m.value)}`
    case 'conntrack':
      return `ct state ${m.ctstate.neg ? '!= ' : ''}${m.ctstate.value.map((s) => s.toLowerCase()).join(',')}`
    case 'addrtype':
      return m.dstType
        ? `fib daddr type ${m.dstType.neg ? '!= ' : ''}${m.dstType.value.toLowerCase()}`
        : `fib saddr type ${m.srcType!.neg ? '!= ' : ''}${m.srcType!.value.toLowerCase()}`
    case 'icmp':
      return `icmp type ${m.icmpType.neg ? '!= ' : ''}${ICMP_TYPE_NAMES[m.icmpType.value] ?? m.icmpType.value}`
    case 'statistic':
    case 'set':
    case 'physdev':
    case 'multiport':
    case 'limit':
      return `xt match "${m.module}"`
  }
}

const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'echo-reply',
  3: 'destination-unreachable',
  8: 'echo-request',
  11: 'time-exceeded'
}

function targetText(r: IptRule): string {
  const t = r.target
  switch (t.kind) {
    case 'none':
      return ''
    case 'verdict':
      return t.verdict.toLowerCase()
    case 'jump':
      return `${t.goto ? 'goto' : 'jump'} ${t.chain}`
    case 'REJECT':
      return 'reject'
    case 'DNAT':
      return `dnat to ${formatIpv4(t.toIp)}${t.toPort === undefined ? '' : `:${t.toPort}`}`
    case 'SNAT':
      return `snat to ${formatIpv4(t.toIp)}${t.randomFully ? ' fully-random' : ''}`
    case 'MASQUERADE':
      return `masquerade${t.randomFully ? ' fully-random' : ''}`
    case 'MARK':
      return `meta mark set mark and ${hex8(~t.mask >>> 0)} xor ${hex8(t.value)}`
    case 'NFLOG':
      return `log group ${t.group}`
  }
}

/** A rule as nft lists it, with the counters of its place in its chain. */
function ruleText(k: Counters, r: IptRule): string {
  const parts: string[] = []
  if (r.inIface) parts.push(`iifname ${r.inIface.neg ? '!= ' : ''}"${r.inIface.value}"`)
  if (r.outIface) parts.push(`oifname ${r.outIface.neg ? '!= ' : ''}"${r.outIface.value}"`)
  if (r.src) parts.push(`ip saddr ${r.src.neg ? '!= ' : ''}${formatCidr(r.src.value).replace(/\/32$/, '')}`)
  if (r.dst) parts.push(`ip daddr ${r.dst.neg ? '!= ' : ''}${formatCidr(r.dst.value).replace(/\/32$/, '')}`)
  if (r.proto && !r.matches.some((m) => m.module === r.proto!.value))
    parts.push(`ip protocol ${r.proto.neg ? '!= ' : ''}${r.proto.value}`)
  for (const m of r.matches) {
    const text = matchText(m)
    if (text) parts.push(text)
  }
  // nft separates the matches from the counter by two spaces; a rule without matches starts with one.
  return `${parts.length ? `${parts.join(' ')} ` : ''} counter packets ${k.packets} bytes ${k.bytes} ${targetText(r)}`.trimEnd()
}

const NAT_PRIORITY: Record<string, number> = { PREROUTING: -100, INPUT: 100, OUTPUT: -100, POSTROUTING: 100 }

function iptablesTable(nf: Netfilter, name: IptTableName): string | undefined {
  const table = nf[name]
  const chains = chainsInSaveOrder(table).filter((c) => c.policy === undefined || c.rules.length > 0)
  if (chains.length === 0) return undefined
  const ordered = [
    ...chains.filter((c) => c.policy === undefined),
    ...chains.filter((c) => c.policy !== undefined)
  ]
  const out = [`table ip ${name} {`]
  ordered.forEach((c, i) => {
    out.push(`\tchain ${c.name} {`)
    if (c.policy) {
      const hook = c.name.toLowerCase()
      const priority = name === 'nat' ? NAT_PRIORITY[c.name]! : 0
      // iptables-nft hooks mangle at NF_IP_PRI_MANGLE (-150), which nft names, and its OUTPUT
      // chain is a route chain (a changed mark reroutes the packet).
      const type = name === 'nat' ? 'nat' : name === 'mangle' && hook === 'output' ? 'route' : 'filter'
      const priorityText = name === 'mangle' ? 'mangle' : formatPriority(hook, priority)
      out.push(`\t\ttype ${type} hook ${hook} priority ${priorityText}; policy ${c.policy.toLowerCase()};`)
    }
    for (const r of c.rules) out.push(`\t\t${ruleText(countedBy(table, c.name, r), r)}`)
    out.push('\t}')
    if (i < ordered.length - 1) out.push('')
  })
  out.push('}')
  return out.join('\n') + '\n'
}

/** nft's error for an object that does not exist, with carets under the name it could not find. */
function noSuch(words: readonly string[], at: number): ReturnType<typeof fail> {
  const line = words.join(' ')
  const col = words.slice(0, at).join(' ').length + (at > 0 ? 1 : 0)
  return fail(
    `Error: No such file or directory\n${line}\n${' '.repeat(col)}${'^'.repeat(words[at]!.length)}\n`,
    1
  )
}

const OBJECT_ARITY: Record<string, number> = { table: 1, chain: 2, set: 2, map: 2 }

export const nftCommand: Command = {
  name: 'nft',
  summary: 'list the nftables ruleset',
  subcommands: ['list'],
  availableOn: ['node', 'external'],
  run(argv, ctx) {
    const ns = (ctx.lab as Lab).netns.get(ctx.target.netns)!
    const syntaxError = (): ReturnType<typeof fail> =>
      fail(`Error: syntax error, unexpected end of file\n${argv.join(' ')}\n`, 1)
    if (argv[0] !== 'list') return syntaxError()
    const iptTables = (['mangle', 'nat', 'filter'] as const).flatMap((t) => {
      const text = iptablesTable(ns.netfilter, t)
      return text ? [{ name: t, text }] : []
    })
    const warning = (t: string): string =>
      `# Warning: table ip ${t} is managed by iptables-nft, do not touch!\n`
    const what = argv[1]
    if (what === 'ruleset' && argv.length === 2) {
      const stdout =
        iptTables.map((t) => t.text).join('') + (ns.nft ? formatNftTable(ns.nft, ctx.lab.clock.nowMs) : '')
      const stderr = iptTables.map((t) => warning(t.name)).join('')
      return stderr ? { stdout, stderr, exitCode: 0 } : ok(stdout)
    }
    if (what === 'tables' && argv.length === 2)
      return ok(
        [
          ...iptTables.map((t) => `table ip ${t.name}\n`),
          ...(ns.nft ? [`table ${ns.nft.family} ${ns.nft.name}\n`] : [])
        ].join('')
      )
    const arity = what === undefined ? undefined : OBJECT_ARITY[what]
    if (arity === undefined) return syntaxError()
    // The family may be left out (it defaults to ip): `list table kube-proxy`.
    const rest = argv.slice(2)
    if (rest.length !== arity && rest.length !== arity + 1) return syntaxError()
    const first = 2 + rest.length - arity
    const family = rest.length > arity ? rest[0]! : 'ip'
    const tableName = argv[first]!
    const name = argv[first + 1]
    const ipt = family === 'ip' ? iptTables.find((t) => t.name === tableName) : undefined
    const nft = ns.nft && ns.nft.family === family && ns.nft.name === tableName ? ns.nft : undefined
    if (!ipt && !nft) return noSuch(argv, first)
    if (ipt) {
      if (what === 'table') return { stdout: ipt.text, stderr: warning(ipt.name), exitCode: 0 }
      const lines = ipt.text.split('\n')
      const from = lines.indexOf(`\tchain ${name} {`)
      if (what !== 'chain' || from === -1) return noSuch(argv, first + 1)
      const chain = lines.slice(from, lines.indexOf('\t}', from) + 1)
      return { stdout: [lines[0], ...chain, '}'].join('\n') + '\n', stderr: warning(ipt.name), exitCode: 0 }
    }
    const t = nft!
    if (what === 'table') return ok(formatNftTable(t, ctx.lab.clock.nowMs))
    const lines =
      what === 'chain'
        ? t.chains.filter((c) => c.name === name).map(formatNftChain)
        : what === 'set'
          ? t.sets.filter((x) => x.name === name).map((x) => formatNftSet(x, ctx.lab.clock.nowMs))
          : t.maps.filter((x) => x.name === name).map(formatNftMap)
    return lines[0] ? ok(formatNftObject(t, lines[0])) : noSuch(argv, first + 1)
  }
}
