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

/** `nft list ruleset` for one table, in nft's layout (tabs, sets and maps before chains). */
export function formatNftTable(t: NftTable): string {
  const out: string[] = [`table ${t.family} ${t.name} {`, `\tcomment "${t.comment}"`]
  for (const s of t.sets) {
    out.push(`\tset ${s.name} {`, '\t\ttype ipv4_addr', `\t\tcomment "${s.comment}"`)
    if (s.elements.length > 0) out.push(`\t\telements = { ${s.elements.map(formatIpv4).join(', ')} }`)
    out.push('\t}', '')
  }
  for (const m of t.maps) {
    out.push(`\tmap ${m.name} {`, `\t\ttype ${m.key === 'addr-proto-port' ? 'ipv4_addr . inet_proto . inet_service' : 'inet_proto . inet_service'} : verdict`, `\t\tcomment "${m.comment}"`)
    if (m.elements.length > 0) out.push(`\t\telements = { ${m.elements.map((e) => `${e.key} : ${e.verdict} ${e.chain}`).join(',\n\t\t\t     ')} }`)
    out.push('\t}', '')
  }
  t.chains.forEach((c, i) => {
    out.push(`\tchain ${c.name} {`)
    if (c.base) out.push(`\t\ttype ${c.base.type} hook ${c.base.hook} priority ${formatPriority(c.base.type, c.base.priority)}; policy accept;`)
    for (const r of c.rules) out.push(`\t\t${formatNftRule(r)}`)
    out.push('\t}')
    if (i < t.chains.length - 1) out.push('')
  })
  out.push('}')
  return out.join('\n') + '\n'
}

/** nft prints standard priorities by name (`dstnat - 10`, `srcnat`). */
function formatPriority(type: 'filter' | 'nat', priority: number): string {
  const names: [string, number][] = [['dstnat', -100], ['srcnat', 100], ['filter', 0]]
  for (const [name, value] of names) {
    const delta = priority - value
    if (Math.abs(delta) <= 10 && (type === 'nat' || name === 'dstnat')) return delta === 0 ? name : `${name} ${delta < 0 ? '-' : '+'} ${Math.abs(delta)}`
  }
  return String(priority)
}
