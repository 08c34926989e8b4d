import { formatCidr } from '../net/cidr.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import type { NftExpr, NftRule, NftTable } from './nftables.ts'

const hex8 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`

function formatExpr(e: NftExpr): string {
  switch (e.op) {
    case 'ct-state':
      return `ct state ${e.states.join(',')}`
    case 'daddr-in-set':
      return `ip daddr @${e.set}`
    case 'saddr-in-set':
      return `ip saddr @${e.set}`
    case 'update-saddr':
      return `update @${e.set} { ip saddr }`
    case 'fib-daddr-local':
      return 'fib daddr type local'
    case 'fib-saddr-local':
      return 'fib saddr type local'
    case 'daddr-in':
    case 'saddr-in': {
      const set = e.cidrs.length === 1 ? formatCidr(e.cidrs[0]!) : `{ ${e.cidrs.map(formatCidr).join(', ')} }`
      return `ip ${e.op === 'daddr-in' ? 'daddr' : 'saddr'} ${e.neg ? '!= ' : ''}${set}`
    }
    case 'daddr-eq':
      return `ip daddr ${formatIpv4(e.ip)}`
    case 'saddr-eq':
      return `ip saddr ${formatIpv4(e.ip)}`
    case 'l4proto-eq':
      return `meta l4proto ${e.proto}`
    case 'dport-eq':
      return `${e.proto} dport ${e.port}`
    case 'mark-masq-unset':
      return `meta mark & ${hex8(e.bits)} == ${hex8(0)}`
    case 'vmap':
      return `${e.key === 'addr-proto-port' ? 'ip daddr . ' : ''}meta l4proto . th dport vmap @${e.map}`
    case 'numgen-vmap':
      return `numgen random mod ${e.targets.length} vmap { ${e.targets.map((t, i) => `${i} : goto ${t}`).join(', ')} }`
    case 'jump':
    case 'goto':
      return `${e.op} ${e.chain}`
    case 'return':
    case 'drop':
    case 'reject':
      return e.op
    case 'dnat':
      return `dnat to ${formatIpv4(e.ip)}:${e.port}`
    case 'mark-or':
      return `meta mark set meta mark | ${hex8(e.bits)}`
    case 'mark-xor':
      return `meta mark set meta mark ^ ${hex8(e.bits)}`
    case 'masquerade':
      return 'masquerade fully-random'
  }
}

/** One rule as `nft list ruleset` prints it. */
export function formatNftRule(rule: NftRule): string {
  const body = rule.exprs.map(formatExpr).join(' ')
  return rule.comment === undefined ? body : `${body} comment "${rule.comment}"`
}

/** nft breaks a set's element list after every second element, a map's after every element. */
function elementList(items: string[], perLine: number): string {
  const lines: string[] = []
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '))
  return `{ ${lines.join(',\n\t\t\t     ')} }`
}

type NftSet = NftTable['sets'][number]
type NftMap = NftTable['maps'][number]
type NftChain = NftTable['chains'][number]

/** nft's time_print: each non-zero unit from days down to milliseconds, `0s` for nothing. */
export function formatNftDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1]
  ]
  let rest = Math.max(0, Math.floor(ms))
  let out = ''
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size)
    rest -= n * size
    if (n > 0) out += `${n}${unit}`
  }
  return out === '' ? '0s' : out
}

/**
 * A set's lines inside its table, as `nft list` indents them. `nowMs` is the lab time, for the
 * `expires` of a timeout set's elements; nft puts each of those on its own line.
 */
export function formatNftSet(s: NftSet, nowMs = 0): string[] {
  const out = [`\tset ${s.name} {`, '\t\ttype ipv4_addr']
  // A dynamic set made without a size gets the kernel's default one, which nft prints.
  if (s.timeout)
    out.push(
      '\t\tsize 65535',
      '\t\tflags dynamic,timeout',
      `\t\ttimeout ${formatNftDuration(s.timeout.seconds * 1000)}`
    )
  if (s.comment !== undefined) out.push(`\t\tcomment "${s.comment}"`)
  const timeout = s.timeout
  if (timeout) {
    const live = s.elements
      .map((ip, i) => ({ ip, expires: timeout.expiresAt[i]! }))
      .filter((e) => e.expires > nowMs)
      .sort((a, b) => a.ip - b.ip)
    // An element added with the set's own timeout carries no timeout of its own to print.
    if (live.length > 0)
      out.push(
        `\t\telements = ${elementList(
          live.map((e) => `${formatIpv4(e.ip)} expires ${formatNftDuration(e.expires - nowMs)}`),
          1
        )}`
      )
  } else if (s.elements.length > 0)
    out.push(`\t\telements = ${elementList([...s.elements].sort((a, b) => a - b).map(formatIpv4), 2)}`)
  out.push('\t}')
  return out
}

/** A verdict map's lines inside its table. */
export function formatNftMap(m: NftMap): string[] {
  const out = [
    `\tmap ${m.name} {`,
    `\t\ttype ${m.key === 'addr-proto-port' ? 'ipv4_addr . inet_proto . inet_service' : 'inet_proto . inet_service'} : verdict`,
    `\t\tcomment "${m.comment}"`
  ]
  if (m.elements.length > 0)
    out.push(
      `\t\telements = ${elementList(
        m.elements.map(
          (e) =>
            `${e.key}${e.comment === undefined ? '' : ` comment "${e.comment}"`} : ${e.verdict === 'drop' ? 'drop' : `${e.verdict} ${e.chain}`}`
        ),
        1
      )}`
    )
  out.push('\t}')
  return out
}

/** A chain's lines inside its table. */
export function formatNftChain(c: NftChain): string[] {
  const out = [`\tchain ${c.name} {`]
  if (c.base)
    out.push(
      `\t\ttype ${c.base.type} hook ${c.base.hook} priority ${formatPriority(c.base.hook, c.base.priority)}; policy accept;`
    )
  if (c.comment !== undefined) out.push(`\t\tcomment "${c.comment}"`)
  for (const r of c.rules) out.push(`\t\t${formatNftRule(r)}`)
  out.push('\t}')
  return out
}

/** One object of a table (`nft list chain|set|map`): nft wraps it in its table without the table's comment. */
export function formatNftObject(t: NftTable, lines: string[]): string {
  return [`table ${t.family} ${t.name} {`, ...lines, '}'].join('\n') + '\n'
}

/** `nft list ruleset` for one table, in nft's layout (tabs, sets and maps before chains). */
export function formatNftTable(t: NftTable, nowMs = 0): string {
  // kube-proxy creates the affinity sets during the sync, after its maps; nft lists in creation order.
  const [timed, plain] = [t.sets.filter((x) => x.timeout), t.sets.filter((x) => !x.timeout)]
  const blocks = [
    ...plain.map((x) => formatNftSet(x, nowMs)),
    ...t.maps.map(formatNftMap),
    ...timed.map((x) => formatNftSet(x, nowMs)),
    ...t.chains.map(formatNftChain)
  ]
  const out: string[] = [`table ${t.family} ${t.name} {`, `\tcomment "${t.comment}"`]
  blocks.forEach((b, i) => out.push(...b, ...(i < blocks.length - 1 ? [''] : [])))
  out.push('}')
  return out.join('\n') + '\n'
}

/** nft names the standard priority of the hook (`dstnat - 10` in prerouting, `srcnat` in postrouting, `filter` for 0). */
export function formatPriority(hook: string, priority: number): string {
  const named =
    hook === 'prerouting' ? ['dstnat', -100] : hook === 'postrouting' ? ['srcnat', 100] : undefined
  if (named) {
    const delta = priority - (named[1] as number)
    return delta === 0
      ? (named[0] as string)
      : `${named[0] as string} ${delta < 0 ? '-' : '+'} ${Math.abs(delta)}`
  }
  return priority === 0 ? 'filter' : String(priority)
}
