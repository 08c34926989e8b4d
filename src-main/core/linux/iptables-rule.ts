import { formatCidr, parseCidr } from '../net/cidr.ts'
import { formatIpv4, parseIpv4 } from '../net/ipv4.ts'
import {
  CTSTATE_ORDER,
  formatProbability,
  probabilityToFixed,
  type AddrType,
  type CtState,
  type IptMatch,
  type IptProto,
  type IptRule,
  type IptTarget,
  type Negatable,
  type PortMatch
} from './netfilter.ts'

export const IPTABLES_VERSION = 'iptables v1.8.9 (nf_tables)'

export type ParsedRule = { ok: true; rule: IptRule } | { ok: false; message: string }

/** Splits one iptables-restore line into words: whitespace separates, double quotes group. */
export function splitRuleLine(line: string): string[] {
  // Words are cut out of the line in runs rather than built a character at a time: a build of
  // thousands of rules pays for per-character pieces in time and in memory the rules keep.
  const words: string[] = []
  let current = ''
  let start = 0
  let inWord = false
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) {
        current += line.slice(start, i) + line[i + 1]!
        i++
        start = i + 1
      } else if (c === '"') {
        current += line.slice(start, i)
        quoted = false
        start = i + 1
      }
    } else if (c === '"') {
      current += line.slice(start, i)
      quoted = true
      inWord = true
      start = i + 1
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(current + line.slice(start, i))
      current = ''
      inWord = false
      start = i + 1
    } else {
      inWord = true
    }
  }
  if (inWord) words.push(current + line.slice(start))
  return words
}

const PROTOS: readonly IptProto[] = ['tcp', 'udp', 'icmp', 'sctp']
const ADDR_TYPES: readonly AddrType[] = ['LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST']

function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text, 16) >>> 0
  if (/^\d+$/.test(text)) return Number(text) >>> 0
  return undefined
}

function parseValueMask(text: string | undefined): { value: number; mask: number } | undefined {
  if (text === undefined) return undefined
  const [v, m] = text.split('/')
  const value = parseNumber(v)
  const mask = m === undefined ? 0xffffffff : parseNumber(m)
  return value === undefined || mask === undefined ? undefined : { value, mask }
}

/**
 * Parses a rule specification (everything after `-A CHAIN`) the way iptables does: `-p tcp
 * --dport` loads the tcp match implicitly, `--or-mark`/`--xor-mark` become `--set-xmark`.
 * Error texts are iptables' own (without the `Try iptables -h` trailer).
 */
function badRule(message: string): ParsedRule {
  return { ok: false, message }
}

/** The tcp/udp match `--dport` belongs to, loaded implicitly after `-p tcp` as iptables does. */
function portModule(rule: IptRule, name: 'tcp' | 'udp'): Extract<IptMatch, { module: 'tcp' | 'udp' }> {
  let m = rule.matches.find((x): x is Extract<IptMatch, { module: 'tcp' | 'udp' }> => x.module === name)
  if (!m) {
    m = { module: name }
    rule.matches.push(m)
  }
  return m
}

export function parseIptRule(args: readonly string[]): ParsedRule {
  // Hot when kube-proxy's rules for thousands of Services are built: no closures in here.
  const rule: IptRule = { matches: [], target: { kind: 'none' } }
  let neg = false
  let currentModule: IptMatch | undefined
  let i = 0
  for (; i < args.length; i++) {
    const a = args[i]!
    if (a === '!') {
      neg = true
      continue
    }
    const negated = neg
    neg = false
    switch (a) {
      case '-s':
      case '--source':
      case '-d':
      case '--destination': {
        const v = args[++i]
        const c = v === undefined ? undefined : parseCidr(v)
        if (!c) return badRule(`host/network \`${v ?? ''}' not found`)
        const field: Negatable<typeof c> = { value: c, neg: negated }
        if (a === '-s' || a === '--source') rule.src = field
        else rule.dst = field
        break
      }
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface': {
        const v = args[++i]
        if (!v) return badRule(`option "${a}" requires an argument`)
        if (a.startsWith('-i') || a === '--in-interface') rule.inIface = { value: v, neg: negated }
        else rule.outIface = { value: v, neg: negated }
        break
      }
      case '-p':
      case '--protocol': {
        const v = args[++i]?.toLowerCase()
        if (!v || !PROTOS.includes(v as IptProto)) return badRule(`unknown protocol "${v ?? ''}" specified`)
        rule.proto = { value: v as IptProto, neg: negated }
        break
      }
      case '-m':
      case '--match': {
        const name = args[++i]
        switch (name) {
          case 'comment':
            currentModule = { module: 'comment', comment: '' }
            break
          case 'tcp':
          case 'udp':
            currentModule = { module: name }
            break
          case 'statistic':
            currentModule = { module: 'statistic', mode: 'random', probability: 0 }
            break
          case 'mark':
            currentModule = { module: 'mark', neg: false, value: 0, mask: 0xffffffff }
            break
          case 'addrtype':
            currentModule = { module: 'addrtype' }
            break
          case 'conntrack':
            currentModule = { module: 'conntrack', ctstate: { value: [], neg: false } }
            break
          case 'set':
            currentModule = { module: 'set', neg: false, setName: '', flags: [] }
            break
          case 'recent':
            // xt_recent's defaults: list DEFAULT, full mask, keyed by the source address.
            currentModule = {
              module: 'recent',
              command: 'set',
              name: 'DEFAULT',
              reap: false,
              mask: 0xffffffff,
              side: 'rsource'
            }
            break
          case 'icmp':
            currentModule = { module: 'icmp', icmpType: { value: -1, neg: false } }
            break
          case 'physdev':
            currentModule = { module: 'physdev', isBridged: false }
            break
          case 'multiport':
            currentModule = { module: 'multiport', dports: [] }
            break
          case 'limit':
            currentModule = { module: 'limit', avg: '3/hour', burst: 5 }
            break
          default:
            return badRule(`Couldn't load match \`${name ?? ''}':No such file or directory`)
        }
        rule.matches.push(currentModule)
        break
      }
      case '--comment': {
        const v = args[++i]
        if (currentModule?.module !== 'comment' || v === undefined) return badRule(`unknown option "${a}"`)
        currentModule.comment = v
        break
      }
      case '--dport':
      case '--destination-port':
      case '--sport':
      case '--source-port': {
        const proto = rule.proto?.value
        if (proto !== 'tcp' && proto !== 'udp') return badRule(`unknown option "${a}"`)
        const m = currentModule?.module === proto ? currentModule : portModule(rule, proto)
        const ports = parsePortMatch(args[++i], negated)
        if (typeof ports === 'string') return badRule(ports)
        if (a.startsWith('--d')) m.dport = ports
        else m.sport = ports
        break
      }
      case '--mode': {
        if (currentModule?.module !== 'statistic' || args[++i] !== 'random')
          return badRule(`unknown option "${a}"`)
        break
      }
      case '--probability': {
        const p = Number(args[++i])
        if (currentModule?.module !== 'statistic' || !(p >= 0 && p <= 1))
          return badRule(`"--probability" must be within [0, 1]`)
        currentModule.probability = probabilityToFixed(p)
        break
      }
      case '--mark': {
        const vm = parseValueMask(args[++i])
        if (currentModule?.module !== 'mark' || !vm) return badRule(`Bad MARK value \`${args[i] ?? ''}'`)
        currentModule.neg = negated
        currentModule.value = vm.value
        currentModule.mask = vm.mask
        break
      }
      case '--src-type':
      case '--dst-type': {
        const t = args[++i]?.toUpperCase() as AddrType | undefined
        if (currentModule?.module !== 'addrtype' || !t || !ADDR_TYPES.includes(t))
          return badRule(`unknown option "${a}"`)
        if (a === '--src-type') currentModule.srcType = { value: t, neg: negated }
        else currentModule.dstType = { value: t, neg: negated }
        break
      }
      case '--ctstate': {
        const states = (args[++i] ?? '').split(',') as CtState[]
        if (currentModule?.module !== 'conntrack' || states.some((s) => !CTSTATE_ORDER.includes(s)))
          return badRule(`Bad ctstate "${args[i] ?? ''}"`)
        currentModule.ctstate = { value: CTSTATE_ORDER.filter((s) => states.includes(s)), neg: negated }
        break
      }
      case '--match-set': {
        const name = args[++i]
        const flags = args[++i]
        if (currentModule?.module !== 'set' || !name || !flags) return badRule(`unknown option "${a}"`)
        currentModule.neg = negated
        currentModule.setName = name
        currentModule.flags = flags.split(',')
        break
      }
      case '--set':
      case '--rcheck':
        if (currentModule?.module !== 'recent') return badRule(`unknown option "${a}"`)
        currentModule.command = a === '--set' ? 'set' : 'rcheck'
        break
      case '--name':
      case '--seconds':
      case '--mask': {
        const v = args[++i]
        if (currentModule?.module !== 'recent' || v === undefined) return badRule(`unknown option "${a}"`)
        if (a === '--name') currentModule.name = v
        else if (a === '--seconds') {
          const n = parseNumber(v)
          if (n === undefined) return badRule(`recent: bad value for option "--seconds", or out of range.`)
          currentModule.seconds = n
        } else {
          const m = parseIpv4(v)
          if (m === undefined) return badRule(`Bad mask "${v}"`)
          currentModule.mask = m
        }
        break
      }
      case '--reap':
      case '--rsource':
      case '--rdest':
        if (currentModule?.module !== 'recent') return badRule(`unknown option "${a}"`)
        if (a === '--reap') currentModule.reap = true
        else currentModule.side = a === '--rsource' ? 'rsource' : 'rdest'
        break
      case '--icmp-type': {
        const type = icmpTypeNumber(args[++i])
        if (rule.proto?.value !== 'icmp' || type === undefined)
          return badRule(`Invalid ICMP type \`${args[i] ?? ''}'`)
        const m =
          currentModule?.module === 'icmp'
            ? currentModule
            : (rule.matches.find((x) => x.module === 'icmp') as
                Extract<IptMatch, { module: 'icmp' }> | undefined)
        if (m) m.icmpType = { value: type, neg: negated }
        else rule.matches.push({ module: 'icmp', icmpType: { value: type, neg: negated } })
        break
      }
      case '--physdev-is-bridged': {
        if (currentModule?.module !== 'physdev') return badRule(`unknown option "${a}"`)
        currentModule.isBridged = true
        break
      }
      case '--dports':
      case '--destination-ports': {
        const ranges = parsePortList(args[++i])
        if (currentModule?.module !== 'multiport' || !ranges)
          return badRule(`invalid port/service \`${args[i] ?? ''}' specified`)
        currentModule.dports = ranges
        break
      }
      case '--limit': {
        const avg = parseRate(args[++i])
        if (currentModule?.module !== 'limit' || !avg) return badRule(`bad rate "${args[i] ?? ''}"'`)
        currentModule.avg = avg
        break
      }
      case '--limit-burst': {
        const burst = parseNumber(args[++i])
        if (currentModule?.module !== 'limit' || burst === undefined)
          return badRule(`bad --limit-burst \`${args[i] ?? ''}'`)
        currentModule.burst = burst
        break
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        const t = args[++i]
        if (!t) return badRule(`option "${a}" requires an argument`)
        const parsed = parseTarget(t, args.slice(i + 1), a === '-g' || a === '--goto')
        if (!parsed.ok) return badRule(parsed.message)
        rule.target = parsed.target
        i = args.length
        break
      }
      default:
        return badRule(`unknown option "${a}"`)
    }
  }
  return { ok: true, rule: inKernelLayout(rule) }
}

/**
 * The kernel keeps a rule's address, interface and protocol fields in one layout whatever order
 * they were given in, so a rule typed `-p tcp -d X` is the same state as `-d X -p tcp`; the lab
 * state (and its hash) follows iptables-save's order.
 */
function inKernelLayout(r: IptRule): IptRule {
  const out: IptRule = { matches: r.matches, target: r.target }
  if (r.src) out.src = r.src
  if (r.dst) out.dst = r.dst
  if (r.inIface) out.inIface = r.inIface
  if (r.outIface) out.outIface = r.outIface
  if (r.proto) out.proto = r.proto
  return out
}

/** The ICMP type names iptables knows that kube-router writes, and plain numbers. */
const ICMP_TYPES: Readonly<Record<string, number>> = {
  'echo-reply': 0,
  'destination-unreachable': 3,
  'echo-request': 8,
  'time-exceeded': 11
}

function icmpTypeNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (text in ICMP_TYPES) return ICMP_TYPES[text]
  const n = parseNumber(text)
  return n !== undefined && n < 256 ? n : undefined
}

/** libxt_tcp's `--dport`: a port, or a range `N:M` whose missing ends are 0 and 65535. */
function parsePortMatch(text: string | undefined, neg: boolean): PortMatch | string {
  const [firstText = '', lastText, ...rest] = (text ?? '').split(':')
  if (lastText === undefined || rest.length > 0) {
    const value = parsePort(text)
    return value === undefined ? `invalid port/service \`${text ?? ''}' specified` : { value, neg }
  }
  const value = firstText === '' ? 0 : parsePort(firstText)
  if (value === undefined) return `invalid port/service \`${firstText}' specified`
  const last = lastText === '' ? 65535 : parsePort(lastText)
  if (last === undefined) return `invalid port/service \`${lastText}' specified`
  if (value > last) return 'invalid portrange (min > max)'
  return value === last ? { value, neg } : { value, neg, last }
}

function parsePort(text: string | undefined): number | undefined {
  const n = parseNumber(text)
  return n !== undefined && n <= 65535 ? n : undefined
}

function parsePortList(text: string | undefined): { from: number; to: number }[] | undefined {
  if (!text) return undefined
  const out: { from: number; to: number }[] = []
  for (const part of text.split(',')) {
    const [a, b] = part.split(':')
    const from = parsePort(a)
    const to = b === undefined ? from : parsePort(b)
    if (from === undefined || to === undefined || from > to) return undefined
    out.push({ from, to })
  }
  return out
}

/** xt_limit's rates, saved with the unit's short name (`10/minute` → `10/min`). */
function parseRate(text: string | undefined): string | undefined {
  const m = /^(\d+)(?:\/(s|sec|second|m|min|minute|h|hour|d|day))?$/.exec(text ?? '')
  if (!m) return undefined
  const unit = m[2]?.[0] ?? 's'
  return `${m[1]}/${{ s: 'sec', m: 'min', h: 'hour', d: 'day' }[unit]}`
}

/** The word after `flag` among a target's options. */
function optionValue(rest: readonly string[], flag: string): string | undefined {
  const k = rest.indexOf(flag)
  return k === -1 ? undefined : rest[k + 1]
}

function parseTarget(
  name: string,
  rest: readonly string[],
  goto: boolean
): { ok: true; target: IptTarget } | { ok: false; message: string } {
  switch (name) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return { ok: true, target: { kind: 'verdict', verdict: name } }
    case 'REJECT':
      return {
        ok: true,
        target: { kind: 'REJECT', rejectWith: optionValue(rest, '--reject-with') ?? 'icmp-port-unreachable' }
      }
    case 'DNAT': {
      const to = optionValue(rest, '--to-destination') ?? ''
      const [ipText, portText] = to.split(':')
      const ip = parseIpv4(ipText ?? '')
      if (ip === undefined) return { ok: false, message: `Bad IP address "${to}"` }
      return {
        ok: true,
        target:
          portText === undefined
            ? { kind: 'DNAT', toIp: ip }
            : { kind: 'DNAT', toIp: ip, toPort: Number(portText) }
      }
    }
    case 'SNAT': {
      const ip = parseIpv4(optionValue(rest, '--to-source') ?? '')
      if (ip === undefined)
        return { ok: false, message: `Bad IP address "${optionValue(rest, '--to-source') ?? ''}"` }
      return { ok: true, target: { kind: 'SNAT', toIp: ip, randomFully: rest.includes('--random-fully') } }
    }
    case 'MASQUERADE':
      return { ok: true, target: { kind: 'MASQUERADE', randomFully: rest.includes('--random-fully') } }
    case 'MARK': {
      const xmark = parseValueMask(optionValue(rest, '--set-xmark'))
      if (xmark) return { ok: true, target: { kind: 'MARK', ...xmark } }
      const set = parseValueMask(optionValue(rest, '--set-mark'))
      if (set) return { ok: true, target: { kind: 'MARK', value: set.value, mask: set.mask } }
      const or = parseNumber(optionValue(rest, '--or-mark'))
      if (or !== undefined) return { ok: true, target: { kind: 'MARK', value: or, mask: or } }
      const xor = parseNumber(optionValue(rest, '--xor-mark'))
      if (xor !== undefined) return { ok: true, target: { kind: 'MARK', value: xor, mask: 0 } }
      return { ok: false, message: 'MARK target: Parameter --set/and/or/xor-mark is required' }
    }
    case 'NFLOG':
      return {
        ok: true,
        target: { kind: 'NFLOG', group: parseNumber(optionValue(rest, '--nflog-group')) ?? 0 }
      }
    default:
      if (!/^[A-Za-z0-9_.-]+$/.test(name))
        return { ok: false, message: `Couldn't load target \`${name}':No such file or directory` }
      return { ok: true, target: { kind: 'jump', chain: name, goto } }
  }
}

/** libxtables' xtables_save_string: bare when only [A-Za-z0-9_-], quoted otherwise. */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value
  return `"${value.replace(/(["\\'])/g, '\\$1')}"`
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`
const not = (neg: boolean): string => (neg ? '! ' : '')

function formatMatch(m: IptMatch): string {
  switch (m.module) {
    case 'comment':
      return `-m comment --comment ${saveString(m.comment)}`
    case 'tcp':
    case 'udp': {
      return `-m ${m.module}${savePorts('sport', m.sport)}${savePorts('dport', m.dport)}`
    }
    case 'statistic':
      return `-m statistic --mode random --probability ${formatProbability(m.probability)}`
    case 'mark':
      return `-m mark ${not(m.neg)}--mark ${hex(m.value)}${m.mask === 0xffffffff ? '' : `/${hex(m.mask)}`}`
    case 'addrtype': {
      let s = '-m addrtype'
      if (m.srcType) s += ` ${not(m.srcType.neg)}--src-type ${m.srcType.value}`
      if (m.dstType) s += ` ${not(m.dstType.neg)}--dst-type ${m.dstType.value}`
      return s
    }
    case 'conntrack':
      return `-m conntrack ${not(m.ctstate.neg)}--ctstate ${m.ctstate.value.join(',')}`
    case 'set':
      return `-m set ${not(m.neg)}--match-set ${m.setName} ${m.flags.join(',')}`
    case 'recent': {
      // libxt_recent's save order: command, --seconds, --reap, --name, --mask, side.
      let s = `-m recent --${m.command}`
      if (m.seconds !== undefined) s += ` --seconds ${m.seconds}`
      if (m.reap) s += ' --reap'
      return `${s} --name ${m.name} --mask ${formatIpv4(m.mask)} --${m.side}`
    }
    case 'icmp':
      return `-m icmp ${not(m.icmpType.neg)}--icmp-type ${m.icmpType.value}`
    case 'physdev':
      return `-m physdev${m.isBridged ? ' --physdev-is-bridged' : ''}`
    case 'multiport':
      return `-m multiport --dports ${m.dports.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}:${r.to}`)).join(',')}`
    case 'limit':
      return `-m limit --limit ${m.avg}${m.burst === 5 ? '' : ` --limit-burst ${m.burst}`}`
  }
}

/** libxt_tcp's save: a range covering every port is not printed, even negated. */
function savePorts(option: 'sport' | 'dport', m: PortMatch | undefined): string {
  if (!m || (m.value === 0 && m.last === 65535)) return ''
  return ` ${not(m.neg)}--${option} ${m.value}${m.last === undefined ? '' : `:${m.last}`}`
}

export function formatTarget(t: IptTarget): string {
  switch (t.kind) {
    case 'none':
      return ''
    case 'verdict':
      return `-j ${t.verdict}`
    case 'jump':
      return `${t.goto ? '-g' : '-j'} ${t.chain}`
    case 'REJECT':
      return `-j REJECT --reject-with ${t.rejectWith}`
    case 'DNAT':
      return `-j DNAT --to-destination ${formatIpv4(t.toIp)}${t.toPort === undefined ? '' : `:${t.toPort}`}`
    case 'SNAT':
      return `-j SNAT --to-source ${formatIpv4(t.toIp)}${t.randomFully ? ' --random-fully' : ''}`
    case 'MASQUERADE':
      return `-j MASQUERADE${t.randomFully ? ' --random-fully' : ''}`
    case 'MARK':
      return `-j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`
    case 'NFLOG':
      return `-j NFLOG --nflog-group ${t.group}`
  }
}

/** The rule spec as iptables-save prints it (without `-A CHAIN`). */
export function formatIptRuleSpec(rule: IptRule): string {
  const parts: string[] = []
  if (rule.src) parts.push(`${not(rule.src.neg)}-s ${formatCidr(rule.src.value)}`)
  if (rule.dst) parts.push(`${not(rule.dst.neg)}-d ${formatCidr(rule.dst.value)}`)
  if (rule.inIface) parts.push(`${not(rule.inIface.neg)}-i ${rule.inIface.value}`)
  if (rule.outIface) parts.push(`${not(rule.outIface.neg)}-o ${rule.outIface.value}`)
  if (rule.proto) parts.push(`${not(rule.proto.neg)}-p ${rule.proto.value}`)
  for (const m of rule.matches) parts.push(formatMatch(m))
  const target = formatTarget(rule.target)
  if (target) parts.push(target)
  return parts.join(' ')
}

export function formatIptRule(chain: string, rule: IptRule): string {
  const spec = formatIptRuleSpec(rule)
  return spec ? `-A ${chain} ${spec}` : `-A ${chain}`
}

/** Two rules are the same rule for `iptables -D`/`-C` when they print the same. */
export function sameRule(a: IptRule, b: IptRule): boolean {
  return formatIptRuleSpec(a) === formatIptRuleSpec(b)
}
