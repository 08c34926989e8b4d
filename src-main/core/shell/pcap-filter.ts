/**
 * The pcap-filter language as libpcap 1.10 compiles it, evaluated over a frame's bytes the way
 * its BPF program would run: qualifiers inherited by bare ids (`host a or b`), `and`/`or` of
 * equal precedence and left-associative, protocol checks guarding every `proto[off]` load, a
 * load past the end rejecting the whole packet, and each bad expression failing with the text
 * libpcap gives tcpdump. Only the outer headers are seen, so VXLAN filters match the underlay.
 *
 * The optimizer's "expression rejects all packets" is found for contradictions between
 * fixed-offset fields and constants, the ones it proves. Left out (the lab carries none of it):
 * IPv6 addresses, `inbound`/`outbound`, `ip broadcast`, MPLS, PPPoE, Geneve, 802.11 and the
 * DECnet/ISO/ATM qualifiers.
 */

/** A compile-time failure; `message` is what tcpdump prints after `tcpdump: `. */
export class PcapFilterError extends Error {}

const syntaxError = (): PcapFilterError => new PcapFilterError("can't parse filter expression: syntax error")

/** A grammar mismatch the parser may back out of and try another rule. */
class NoMatch extends Error {}

/** A load past the captured bytes: BPF returns 0 and the packet is dropped. */
class OutOfBounds extends Error {}

export type LinkType = 'en10mb' | 'sll2'

export interface FilterEnv {
  readonly linkType: LinkType
  /** IPv4 addresses (as unsigned 32-bit numbers) a host name resolves to, or undefined. */
  resolveHost(name: string): readonly number[] | undefined
}

export type PacketFilter = (frame: ArrayLike<number>) => boolean

type Pred = (f: ArrayLike<number>) => boolean

type Proto =
  | 'default'
  | 'undef'
  | 'link'
  | 'ip'
  | 'arp'
  | 'rarp'
  | 'ip6'
  | 'tcp'
  | 'udp'
  | 'icmp'
  | 'icmp6'
  | 'igmp'
  | 'igrp'
  | 'sctp'
  | 'pim'
  | 'vrrp'
  | 'carp'
  | 'ah'
  | 'esp'
type Dir = 'default' | 'undef' | 'src' | 'dst' | 'or' | 'and'
type Addr = 'default' | 'undef' | 'host' | 'net' | 'port' | 'portrange' | 'proto' | 'gateway'

interface Qual {
  readonly proto: Proto
  readonly dir: Dir
  readonly addr: Addr
}

const QERR: Qual = { proto: 'undef', dir: 'undef', addr: 'undef' }

const PNAMES: Record<string, Proto> = {
  ether: 'link',
  fddi: 'link',
  tr: 'link',
  wlan: 'link',
  ppp: 'link',
  slip: 'link',
  link: 'link',
  ip: 'ip',
  arp: 'arp',
  rarp: 'rarp',
  ip6: 'ip6',
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  icmp6: 'icmp6',
  igmp: 'igmp',
  igrp: 'igrp',
  sctp: 'sctp',
  pim: 'pim',
  vrrp: 'vrrp',
  carp: 'carp',
  ah: 'ah',
  esp: 'esp'
}

/** IP protocol numbers of the transport-level names. */
const IP_PROTO: Partial<Record<Proto, number>> = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmp6: 58,
  igmp: 2,
  igrp: 9,
  sctp: 132,
  pim: 103,
  vrrp: 112,
  carp: 112,
  ah: 51,
  esp: 50
}

/** Scanner keywords that stand for numbers (`tcp[tcpflags] & tcp-syn`). */
const NUMERIC_KEYWORDS: Record<string, number> = {
  icmptype: 0,
  icmpcode: 1,
  'icmp-echoreply': 0,
  'icmp-unreach': 3,
  'icmp-sourcequench': 4,
  'icmp-redirect': 5,
  'icmp-echo': 8,
  'icmp-routeradvert': 9,
  'icmp-routersolicit': 10,
  'icmp-timxceed': 11,
  'icmp-paramprob': 12,
  'icmp-tstamp': 13,
  'icmp-tstampreply': 14,
  'icmp-ireq': 15,
  'icmp-ireqreply': 16,
  'icmp-maskreq': 17,
  'icmp-maskreply': 18,
  tcpflags: 13,
  'tcp-fin': 0x01,
  'tcp-syn': 0x02,
  'tcp-rst': 0x04,
  'tcp-push': 0x08,
  'tcp-ack': 0x10,
  'tcp-urg': 0x20,
  'tcp-ece': 0x40,
  'tcp-cwr': 0x80
}

const KEYWORDS = new Set([
  ...Object.keys(PNAMES),
  'src',
  'dst',
  'host',
  'net',
  'mask',
  'port',
  'portrange',
  'proto',
  'gateway',
  'broadcast',
  'multicast',
  'and',
  'or',
  'not',
  'len',
  'length',
  'less',
  'greater',
  'vlan'
])

/** /etc/services (Debian netbase) for the names learners type: [tcp port, udp port]. */
const SERVICES: Record<string, readonly [number | undefined, number | undefined]> = {
  ftp: [21, undefined],
  ssh: [22, undefined],
  telnet: [23, undefined],
  smtp: [25, undefined],
  domain: [53, 53],
  bootps: [undefined, 67],
  bootpc: [undefined, 68],
  tftp: [undefined, 69],
  http: [80, undefined],
  www: [80, undefined],
  kerberos: [88, 88],
  pop3: [110, undefined],
  ntp: [undefined, 123],
  imap2: [143, undefined],
  imap: [143, undefined],
  snmp: [161, 161],
  ldap: [389, 389],
  https: [443, 443],
  syslog: [undefined, 514],
  mysql: [3306, undefined],
  postgresql: [5432, undefined],
  'http-alt': [8080, undefined],
  webcache: [8080, undefined]
}

/** /etc/protocols names for `proto \name`. */
const PROTOCOLS: Record<string, number> = {
  ip: 0,
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  ospf: 89,
  pim: 103,
  vrrp: 112,
  sctp: 132
}

/** libpcap's own Ethernet type names for `ether proto \name`. */
const ETHER_PROTOS: Record<string, number> = {
  pup: 0x0200,
  xns: 0x0600,
  ip: 0x0800,
  ip6: 0x86dd,
  arp: 0x0806,
  rarp: 0x8035,
  sprite: 0x0500,
  mopdl: 0x6001,
  moprc: 0x6002,
  decnet: 0x6003,
  lat: 0x6004,
  sca: 0x6007,
  lanbridge: 0x8038,
  vexp: 0x805b,
  vprod: 0x805c,
  atalk: 0x809b,
  atalkarp: 0x80f3,
  loopback: 0x9000,
  decdts: 0x803e,
  decdns: 0x803c
}

const ETHERTYPE = { ip: 0x0800, arp: 0x0806, rarp: 0x8035, ip6: 0x86dd } as const

type Token =
  | { readonly kind: 'kw'; readonly text: string }
  | { readonly kind: 'num'; readonly text: string; readonly value: number }
  | { readonly kind: 'hid'; readonly text: string }
  | { readonly kind: 'eid'; readonly text: string; readonly bytes: readonly number[] }
  | { readonly kind: 'id'; readonly text: string }
  | { readonly kind: 'op'; readonly text: string }

const TWO_CHAR_OPS = ['>=', '<=', '!=', '==', '<<', '>>', '&&', '||']
const ONE_CHAR_OPS = '+-*/%:[]!<>()&|^='
const NUM_RE = /^(?:0[xX][0-9A-Fa-f]+|[0-9]+)/
const N = '(?:0[xX][0-9A-Fa-f]+|[0-9]+)'
const HID_RE = new RegExp(`^${N}\\.${N}(?:\\.${N}(?:\\.${N})?)?`)
const B = '[0-9A-Fa-f][0-9A-Fa-f]?'
const EID_RE = new RegExp(`^(?:${B}(?::${B}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})`)
const ID_RE = /^[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/

/** stoulen(): decimal, 0x hex or 0-prefixed octal, at most 32 bits. */
function numberValue(text: string): number {
  let radix = 10
  let digits = text
  if (/^0[xX]/.test(text)) {
    radix = 16
    digits = text.slice(2)
  } else if (text.length > 1 && text.startsWith('0')) {
    radix = 8
    digits = text.slice(1)
    if (/[89]/.test(digits)) throw new PcapFilterError(`number ${text} contains non-octal digit`)
  }
  const v = [...digits].reduce((acc, c) => acc * BigInt(radix) + BigInt(parseInt(c, 16)), 0n)
  if (v > 0xffffffffn) throw new PcapFilterError(`number ${text} overflows 32 bits`)
  return Number(v)
}

/** flex's rule: the longest match wins, and on a tie the rule written first. */
function scan(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const rest = input.slice(i)
    const space = /^[ \t\n]+/.exec(rest)
    if (space) {
      i += space[0].length
      continue
    }
    const two = TWO_CHAR_OPS.find((op) => rest.startsWith(op))
    if (two !== undefined) {
      tokens.push({ kind: 'op', text: two })
      i += 2
      continue
    }
    if (rest.startsWith('\\')) {
      const m = /^\\[^ !()\n\t]+/.exec(rest)
      if (!m) throw syntaxError()
      tokens.push({ kind: 'id', text: m[0].slice(1) })
      i += m[0].length
      continue
    }
    const id = ID_RE.exec(rest)?.[0] ?? ''
    if (id !== '' && (KEYWORDS.has(id) || id in NUMERIC_KEYWORDS)) {
      tokens.push(
        id in NUMERIC_KEYWORDS
          ? { kind: 'num', text: id, value: NUMERIC_KEYWORDS[id] ?? 0 }
          : { kind: 'kw', text: id }
      )
      i += id.length
      continue
    }
    const num = NUM_RE.exec(rest)?.[0] ?? ''
    const hid = HID_RE.exec(rest)?.[0] ?? ''
    const eid = EID_RE.exec(rest)?.[0] ?? ''
    const longest = Math.max(num.length, hid.length, eid.length, id.length)
    if (longest === 0) {
      if (!ONE_CHAR_OPS.includes(rest[0] ?? '')) throw syntaxError()
      tokens.push({ kind: 'op', text: rest[0] ?? '' })
      i += 1
      continue
    }
    if (num.length === longest) tokens.push({ kind: 'num', text: num, value: numberValue(num) })
    else if (hid.length === longest) tokens.push({ kind: 'hid', text: hid })
    else if (eid.length === longest)
      tokens.push({ kind: 'eid', text: eid, bytes: eid.split(/[:-]/).map((h) => parseInt(h, 16)) })
    else tokens.push({ kind: 'id', text: id })
    i += longest
  }
  return tokens
}

/** __pcap_atoin(): a dotted prefix of an IPv4 address and its length in bits, or -1. */
function atoin(text: string): { value: number; bits: number } {
  let value = 0
  let bits = 0
  for (const part of text.split('.')) {
    const n = Number(part)
    if (!/^\d+$/.test(part) || n > 255) return { value: 0, bits: -1 }
    value = ((value << 8) | n) >>> 0
    bits += 8
  }
  return { value, bits }
}

const u8 = (f: ArrayLike<number>, off: number): number => {
  if (off < 0 || off + 1 > f.length) throw new OutOfBounds()
  return f[off] ?? 0
}
const u16 = (f: ArrayLike<number>, off: number): number => {
  if (off < 0 || off + 2 > f.length) throw new OutOfBounds()
  return ((f[off] ?? 0) << 8) | (f[off + 1] ?? 0)
}
const u32 = (f: ArrayLike<number>, off: number): number => {
  if (off < 0 || off + 4 > f.length) throw new OutOfBounds()
  return (u16(f, off) * 0x10000 + u16(f, off + 2)) >>> 0
}
const load = (size: number): ((f: ArrayLike<number>, off: number) => number) =>
  size === 1 ? u8 : size === 2 ? u16 : u32

/**
 * What libpcap's optimizer can see of a predicate: tests of a fixed-offset field against a
 * constant, constant truths, and their combinations; everything else may go either way.
 */
type Shape =
  | { readonly kind: 'eq'; readonly field: string; readonly value: number }
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'and' | 'or'; readonly a: Shape; readonly b: Shape }
  | { readonly kind: 'not'; readonly a: Shape }
  | { readonly kind: 'opaque' }

const SHAPES = new WeakMap<Pred, Shape>()
const OPAQUE: Shape = { kind: 'opaque' }
const shapeOf = (p: Pred): Shape => SHAPES.get(p) ?? OPAQUE
const shaped = (p: Pred, shape: Shape): Pred => {
  SHAPES.set(p, shape)
  return p
}

/** `read(f)` equals `value`, a test the optimizer tracks by `field`. */
const fieldIs = (field: string, read: (f: ArrayLike<number>) => number, value: number): Pred =>
  shaped((f) => read(f) === value, { kind: 'eq', field, value })

const and = (a: Pred, b: Pred): Pred =>
  shaped((f) => a(f) && b(f), { kind: 'and', a: shapeOf(a), b: shapeOf(b) })
const or = (a: Pred, b: Pred): Pred =>
  shaped((f) => a(f) || b(f), { kind: 'or', a: shapeOf(a), b: shapeOf(b) })
const not = (a: Pred): Pred => shaped((f) => !a(f), { kind: 'not', a: shapeOf(a) })
const constant = (value: boolean): Pred => shaped(() => value, { kind: 'const', value })
const anyOf = (preds: readonly Pred[]): Pred => preds.reduce(or, constant(false))
const TRUE = constant(true)

/** Kleene logic: 0 false, 1 true, 2 either, under one value per field. */
function evaluate(shape: Shape, fields: ReadonlyMap<string, number>): 0 | 1 | 2 {
  switch (shape.kind) {
    case 'eq':
      return fields.get(shape.field) === shape.value ? 1 : 0
    case 'const':
      return shape.value ? 1 : 0
    case 'opaque':
      return 2
    case 'not': {
      const a = evaluate(shape.a, fields)
      return a === 2 ? 2 : a === 1 ? 0 : 1
    }
    case 'and': {
      const a = evaluate(shape.a, fields)
      if (a === 0) return 0
      const b = evaluate(shape.b, fields)
      return b === 0 ? 0 : a === 1 && b === 1 ? 1 : 2
    }
    case 'or': {
      const a = evaluate(shape.a, fields)
      if (a === 1) return 1
      const b = evaluate(shape.b, fields)
      return b === 1 ? 1 : a === 0 && b === 0 ? 0 : 2
    }
  }
}

/** Every value each field is compared with, plus one it is never compared with (NaN). */
function fieldValues(shape: Shape, into: Map<string, Set<number>>): void {
  if (shape.kind === 'eq') {
    const set = into.get(shape.field) ?? new Set([Number.NaN])
    set.add(shape.value)
    into.set(shape.field, set)
  } else if (shape.kind === 'not') fieldValues(shape.a, into)
  else if (shape.kind === 'and' || shape.kind === 'or') {
    fieldValues(shape.a, into)
    fieldValues(shape.b, into)
  }
}

/**
 * Whether the optimizer would prove that no packet passes ("expression rejects all
 * packets"): tries every combination of the compared values; too many counts as possible.
 */
function rejectsAll(pred: Pred): boolean {
  const shape = shapeOf(pred)
  const values = new Map<string, Set<number>>()
  fieldValues(shape, values)
  const fields = [...values.entries()]
  if (fields.reduce((n, [, set]) => n * set.size, 1) > 4096) return false
  const tryFrom = (i: number, chosen: Map<string, number>): boolean => {
    const entry = fields[i]
    if (!entry) return evaluate(shape, chosen) !== 0
    for (const v of entry[1]) if (tryFrom(i + 1, new Map(chosen).set(entry[0], v))) return true
    return false
  }
  return !tryFrom(0, new Map())
}

/** An arithmetic operand: protocol checks that must hold, then a value (loads may throw). */
interface Arth {
  readonly guard: Pred
  readonly value: (f: ArrayLike<number>) => number
  /** Set for a literal number, which libpcap checks for division by zero and long shifts. */
  readonly immediate?: number
  /** Set when the optimizer can fold the operand to a number. */
  readonly constant?: number
  /** Names a plain load at a fixed offset, a value the optimizer follows between tests. */
  readonly field?: string
}

/** Which IP versions a bare protocol name (`icmp`, `tcp`) matches in: IPv4 only, or both. */
const ABBREV_FAMILY: Partial<Record<Proto, Proto>> = {
  icmp: 'ip',
  igmp: 'ip',
  igrp: 'ip',
  vrrp: 'ip',
  carp: 'ip',
  icmp6: 'ip6'
}

class Compiler {
  #tokens: readonly Token[]
  #pos = 0
  /** Where the link-layer type and payload start; each `vlan` moves both by the tag's 4 bytes. */
  #offLinkType: number
  #offLinkPl: number

  constructor(
    tokens: readonly Token[],
    readonly env: FilterEnv
  ) {
    this.#tokens = tokens
    this.#offLinkType = env.linkType === 'sll2' ? 0 : 12
    this.#offLinkPl = env.linkType === 'sll2' ? 20 : 14
  }

  get done(): boolean {
    return this.#pos === this.#tokens.length
  }

  peek(ahead = 0): Token | undefined {
    return this.#tokens[this.#pos + ahead]
  }

  isOp(text: string, ahead = 0): boolean {
    const t = this.peek(ahead)
    return t !== undefined && (t.kind === 'op' || t.kind === 'kw') && t.text === text
  }

  isKw(text: string, ahead = 0): boolean {
    const t = this.peek(ahead)
    return t?.kind === 'kw' && t.text === text
  }

  take(): Token {
    const t = this.#tokens[this.#pos++]
    if (t === undefined) throw new NoMatch()
    return t
  }

  expect(text: string): void {
    const t = this.take()
    if ((t.kind !== 'op' && t.kind !== 'kw') || t.text !== text) throw new NoMatch()
  }

  /** Tries a rule; on a grammar mismatch restores the position and offsets and returns undefined. */
  attempt<T>(rule: () => T): T | undefined {
    const saved = [this.#pos, this.#offLinkType, this.#offLinkPl] as const
    try {
      return rule()
    } catch (e) {
      if (!(e instanceof NoMatch)) throw e
      ;[this.#pos, this.#offLinkType, this.#offLinkPl] = saved
      return undefined
    }
  }

  isAnd(): boolean {
    return this.isKw('and') || this.isOp('&&')
  }

  isOr(): boolean {
    return this.isKw('or') || this.isOp('||')
  }

  isNot(): boolean {
    return this.isKw('not') || this.isOp('!')
  }

  // ---- the boolean grammar ----

  expr(inherited: Qual): { pred: Pred; q: Qual } {
    let left = this.term(inherited)
    while (this.isAnd() || this.isOr()) {
      const join = this.isAnd() ? and : or
      this.take()
      const q = left.q
      const right = this.attempt(() => this.term(q)) ?? this.id(q)
      left = { pred: join(left.pred, right.pred), q: right.q }
    }
    return left
  }

  term(inherited: Qual): { pred: Pred; q: Qual } {
    if (this.isNot()) {
      this.take()
      const t = this.term(inherited)
      return { pred: not(t.pred), q: t.q }
    }
    return this.rterm(inherited)
  }

  rterm(inherited: Qual): { pred: Pred; q: Qual } {
    const t = this.peek()
    if (t === undefined) throw new NoMatch()
    const relation = (): { pred: Pred; q: Qual } => ({ pred: this.relation(), q: QERR })
    if (this.isOp('(')) {
      const r = this.attempt(relation)
      if (r) return r
      this.take()
      const inner = this.expr(inherited)
      this.expect(')')
      return { pred: inner.pred, q: inherited }
    }
    if (t.kind === 'num' || this.isOp('-') || this.isKw('len') || this.isKw('length')) return relation()
    if (t.kind === 'kw' && t.text in PNAMES && this.isOp('[', 1)) return relation()
    if (this.isKw('less') || this.isKw('greater')) {
      const greater = this.take().text === 'greater'
      const n = this.take()
      if (n.kind !== 'num') throw new NoMatch()
      return { pred: (f) => (greater ? f.length >= n.value : f.length <= n.value), q: QERR }
    }
    if (this.isKw('vlan')) {
      this.take()
      const vid = this.attempt(() => this.pnum())
      return { pred: this.vlan(vid), q: QERR }
    }
    let proto: Proto = 'default'
    if (t.kind === 'kw' && t.text in PNAMES) {
      proto = PNAMES[t.text] ?? 'default'
      this.take()
    }
    if (this.isKw('broadcast') || this.isKw('multicast')) {
      const kind = this.take().text
      return { pred: kind === 'broadcast' ? this.broadcast(proto) : this.multicast(proto), q: QERR }
    }
    const dir = this.dqual()
    let addr: Addr | undefined
    if (this.isKw('host') || this.isKw('net') || this.isKw('port') || this.isKw('portrange'))
      addr = this.take().text as Addr
    else if (dir === undefined && (this.isKw('proto') || this.isKw('gateway')))
      addr = this.take().text as Addr
    if (dir === undefined && addr === undefined) {
      if (proto === 'default') throw new NoMatch()
      return { pred: this.protoAbbrev(proto), q: QERR }
    }
    return this.id({ proto, dir: dir ?? 'default', addr: addr ?? 'default' })
  }

  dqual(): Dir | undefined {
    if (!this.isKw('src') && !this.isKw('dst')) return undefined
    const first = this.take().text
    const other = first === 'src' ? 'dst' : 'src'
    if ((this.isAnd() || this.isOr()) && this.isKw(other, 1)) {
      const joined = this.isAnd() ? 'and' : 'or'
      this.take()
      this.take()
      return joined
    }
    return first as Dir
  }

  /** An id: it takes its qualifiers from whatever came before it. */
  id(q: Qual): { pred: Pred; q: Qual } {
    if (this.isNot()) {
      this.take()
      return { pred: not(this.id(q).pred), q }
    }
    if (this.isOp('(')) {
      const n = this.attempt(() => this.pnum())
      if (n !== undefined) return { pred: this.ncode(undefined, n, q), q }
      this.take()
      const first = this.attempt(() => this.pnum())
      let pred = first === undefined ? this.nid(q) : this.ncode(undefined, first, q)
      if (first !== undefined && !this.isAnd() && !this.isOr()) throw new NoMatch()
      while (this.isAnd() || this.isOr()) {
        const join = this.isAnd() ? and : or
        this.take()
        pred = join(pred, this.id(q).pred)
      }
      this.expect(')')
      return { pred, q }
    }
    if (this.peek()?.kind === 'num') return { pred: this.ncode(undefined, this.pnum(), q), q }
    return { pred: this.nid(q), q }
  }

  pnum(): number {
    if (this.isOp('(')) {
      this.take()
      const n = this.pnum()
      this.expect(')')
      return n
    }
    const t = this.take()
    if (t.kind !== 'num') throw new NoMatch()
    return t.value
  }

  nid(q: Qual): Pred {
    const t = this.take()
    if (t.kind === 'id') return this.scode(t.text, q)
    if (t.kind === 'eid') return this.ecode(t.bytes, q)
    if (t.kind !== 'hid') throw new NoMatch()
    if (this.isOp('/')) {
      this.take()
      const len = this.take()
      if (len.kind !== 'num') throw new NoMatch()
      return this.mcode(t.text, undefined, len.value, q)
    }
    if (this.isKw('mask')) {
      this.take()
      const m = this.take()
      if (m.kind !== 'hid') throw new NoMatch()
      return this.mcode(t.text, m.text, 0, q)
    }
    if (['port', 'portrange', 'proto'].includes(q.addr))
      throw new PcapFilterError(`'${q.addr}' modifier applied to ip host`)
    return this.ncode(t.text, 0, q)
  }

  // ---- arithmetic ----

  relation(): Pred {
    const a = this.arth(0)
    const t = this.take()
    if (t.kind !== 'op') throw new NoMatch()
    const ops: Record<string, (x: number, y: number) => boolean> = {
      '>': (x, y) => x > y,
      '>=': (x, y) => x >= y,
      '=': (x, y) => x === y,
      '==': (x, y) => x === y,
      '<=': (x, y) => x <= y,
      '<': (x, y) => x < y,
      '!=': (x, y) => x !== y
    }
    const cmp = ops[t.text]
    if (!cmp) throw new NoMatch()
    const b = this.arth(0)
    const guard = and(a.guard, b.guard)
    if (a.constant !== undefined && b.constant !== undefined)
      return and(guard, constant(cmp(a.constant, b.constant)))
    const compare: Pred = (f) => cmp(a.value(f), b.value(f))
    const [field, k] =
      a.field !== undefined && b.constant !== undefined
        ? [a.field, b.constant]
        : b.field !== undefined && a.constant !== undefined
          ? [b.field, a.constant]
          : [undefined, 0]
    if (field === undefined || (t.text !== '=' && t.text !== '==' && t.text !== '!='))
      return and(guard, compare)
    const equal = fieldIs(field, a.field !== undefined ? a.value : b.value, k)
    return and(guard, t.text === '!=' ? not(equal) : equal)
  }

  static readonly #PRECEDENCE: Record<string, number> = {
    '|': 1,
    '^': 2,
    '&': 3,
    '<<': 4,
    '>>': 4,
    '+': 5,
    '-': 5,
    '*': 6,
    '/': 6,
    '%': 6
  }

  arth(min: number): Arth {
    let left = this.arthPrimary()
    for (;;) {
      const t = this.peek()
      const prec = t?.kind === 'op' ? Compiler.#PRECEDENCE[t.text] : undefined
      if (t === undefined || prec === undefined || prec <= min) return left
      this.take()
      left = this.binary(t.text, left, this.arth(prec))
    }
  }

  binary(op: string, a: Arth, b: Arth): Arth {
    if (op === '/' && b.immediate === 0) throw new PcapFilterError('division by zero')
    if (op === '%' && b.immediate === 0) throw new PcapFilterError('modulus by zero')
    if ((op === '<<' || op === '>>') && b.immediate !== undefined && b.immediate > 31)
      throw new PcapFilterError('shift by more than 31 bits')
    const fn: Record<string, (x: number, y: number) => number> = {
      '+': (x, y) => x + y,
      '-': (x, y) => x - y,
      '*': (x, y) => Number((BigInt(x) * BigInt(y)) & 0xffffffffn),
      '/': (x, y) => {
        if (y === 0) throw new OutOfBounds()
        return Math.floor(x / y)
      },
      '%': (x, y) => {
        if (y === 0) throw new OutOfBounds()
        return x % y
      },
      '&': (x, y) => x & y,
      '|': (x, y) => x | y,
      '^': (x, y) => x ^ y,
      '<<': (x, y) => (y < 32 ? x << y : 0),
      '>>': (x, y) => (y < 32 ? x >>> y : 0)
    }
    const apply = fn[op] ?? ((x: number) => x)
    const foldable =
      a.constant !== undefined &&
      b.constant !== undefined &&
      !(b.constant === 0 && (op === '/' || op === '%'))
    // gen_arth keeps only the left operand's protocol checks: `ip[2:2] - tcp[12]` reads
    // tcp[12] from any IPv4 packet.
    return {
      guard: a.guard,
      value: (f) => apply(a.value(f), b.value(f)) >>> 0,
      constant: foldable ? apply(a.constant ?? 0, b.constant ?? 0) >>> 0 : undefined
    }
  }

  arthPrimary(): Arth {
    const t = this.peek()
    if (t === undefined) throw new NoMatch()
    if (this.isOp('-')) {
      this.take()
      const a = this.arth(6)
      return {
        guard: a.guard,
        value: (f) => -a.value(f) >>> 0,
        constant: a.constant === undefined ? undefined : -a.constant >>> 0
      }
    }
    if (this.isOp('(')) {
      this.take()
      const a = this.arth(0)
      this.expect(')')
      return a
    }
    if (t.kind === 'num') {
      this.take()
      return { guard: TRUE, value: () => t.value, immediate: t.value, constant: t.value }
    }
    if (this.isKw('len') || this.isKw('length')) {
      this.take()
      return { guard: TRUE, value: (f) => f.length, field: 'len' }
    }
    if (t.kind === 'kw' && t.text in PNAMES) {
      this.take()
      this.expect('[')
      const index = this.arth(0)
      let size = 1
      if (this.isOp(':')) {
        this.take()
        const s = this.take()
        if (s.kind !== 'num') throw new NoMatch()
        size = s.value
      }
      this.expect(']')
      if (size !== 1 && size !== 2 && size !== 4) throw new PcapFilterError('data size must be 1, 2, or 4')
      return this.indexed(PNAMES[t.text] ?? 'link', index, size)
    }
    throw new NoMatch()
  }

  /** `proto[index:size]`: offsets count from that protocol's header, which must be present. */
  indexed(proto: Proto, index: Arth, size: number): Arth {
    const read = load(size)
    const guarded = (guard: Pred, base: (f: ArrayLike<number>) => number): Arth => ({
      guard: and(guard, index.guard),
      value: (f) => read(f, base(f) + index.value(f)),
      field:
        index.constant === undefined ? undefined : `${proto}[${index.constant}:${size}]@${this.#offLinkPl}`
    })
    if (proto === 'link') return guarded(TRUE, () => 0)
    if (proto === 'icmp6') throw new PcapFilterError('IPv6 upper-layer protocol is not supported by proto[x]')
    if (proto === 'ip' || proto === 'arp' || proto === 'rarp' || proto === 'ip6') {
      const pl = this.#offLinkPl
      return guarded(this.protoAbbrev(proto), () => pl)
    }
    const transport = this.transportOffset()
    return guarded(
      and(and(this.linkType(ETHERTYPE.ip), this.ipProto(IP_PROTO[proto] ?? 0)), this.notFragment()),
      transport
    )
  }

  // ---- code generators (gencode.c) ----

  linkType(type: number): Pred {
    const off = this.#offLinkType
    // Values up to 1500 are an 802.3 length field, so a small "type" is an LLC SAP.
    if (type <= 1500) return (f) => u16(f, off) <= 1500 && u8(f, off + 2) === type
    return fieldIs(`h@${off}`, (f) => u16(f, off), type)
  }

  ipProto(proto: number): Pred {
    const pl = this.#offLinkPl
    return fieldIs(`b@${pl + 9}`, (f) => u8(f, pl + 9), proto)
  }

  ip6Proto(proto: number): Pred {
    const pl = this.#offLinkPl
    return and(
      this.linkType(ETHERTYPE.ip6),
      or(
        this.nextHeader(proto),
        and(
          this.nextHeader(44),
          fieldIs(`b@${pl + 40}`, (f) => u8(f, pl + 40), proto)
        )
      )
    )
  }

  nextHeader(proto: number): Pred {
    const pl = this.#offLinkPl
    return fieldIs(`b@${pl + 6}`, (f) => u8(f, pl + 6), proto)
  }

  notFragment(): Pred {
    const pl = this.#offLinkPl
    return (f) => (u16(f, pl + 6) & 0x1fff) === 0
  }

  transportOffset(): (f: ArrayLike<number>) => number {
    const pl = this.#offLinkPl
    return (f) => pl + 4 * (u8(f, pl) & 0x0f)
  }

  protoAbbrev(proto: Proto): Pred {
    switch (proto) {
      case 'link':
        throw new PcapFilterError('link layer applied in wrong context')
      case 'ip':
      case 'arp':
      case 'rarp':
      case 'ip6':
        return this.linkType(ETHERTYPE[proto])
      default:
        return this.proto(IP_PROTO[proto] ?? 0, ABBREV_FAMILY[proto] ?? 'default', 'default')
    }
  }

  proto(v: number, proto: Proto, dir: Dir): Pred {
    if (dir !== 'default') throw new PcapFilterError("direction applied to 'proto'")
    switch (proto) {
      case 'default':
        return or(this.proto(v, 'ip', dir), this.ip6Proto(v))
      case 'link':
        return this.linkType(v)
      case 'ip':
        return and(this.linkType(ETHERTYPE.ip), this.ipProto(v))
      case 'ip6':
        return this.ip6Proto(v)
      case 'arp':
      case 'rarp':
        throw new PcapFilterError(`${proto} does not encapsulate another protocol`)
      default:
        throw new PcapFilterError(`'${proto} proto' is bogus`)
    }
  }

  host(addr: number, mask: number, proto: Proto, dir: Dir, type: 'host' | 'net'): Pred {
    const op = (ethertype: number, srcOff: number, dstOff: number): Pred => {
      const pl = this.#offLinkPl
      const at =
        (off: number): Pred =>
        (f) =>
          (u32(f, pl + off) & mask) >>> 0 === (addr & mask) >>> 0
      const test =
        dir === 'src'
          ? at(srcOff)
          : dir === 'dst'
            ? at(dstOff)
            : dir === 'and'
              ? and(at(srcOff), at(dstOff))
              : or(at(srcOff), at(dstOff))
      return and(this.linkType(ethertype), test)
    }
    switch (proto) {
      case 'default':
        return anyOf([op(ETHERTYPE.ip, 12, 16), op(ETHERTYPE.arp, 14, 24), op(ETHERTYPE.rarp, 14, 24)])
      case 'ip':
        return op(ETHERTYPE.ip, 12, 16)
      case 'arp':
      case 'rarp':
        return op(ETHERTYPE[proto], 14, 24)
      case 'link':
        throw new PcapFilterError(`link-layer modifier applied to ${type}`)
      case 'ip6':
        throw new PcapFilterError("'ip6' modifier applied to ip host")
      default:
        throw new PcapFilterError(`'${proto}' modifier applied to ${type}`)
    }
  }

  ports(lo: number, hi: number, l4: number | undefined, dir: Dir): Pred {
    const [a, b] = lo <= hi ? [lo, hi] : [hi, lo]
    const transport = this.transportOffset()
    const pl = this.#offLinkPl
    const inRange = (v: number): boolean => v >= a && v <= b
    const test = (offset: (f: ArrayLike<number>) => number): Pred => {
      const at =
        (k: number): Pred =>
        (f) =>
          inRange(u16(f, offset(f) + k))
      return dir === 'src'
        ? at(0)
        : dir === 'dst'
          ? at(2)
          : dir === 'and'
            ? and(at(0), at(2))
            : or(at(0), at(2))
    }
    const protos = l4 === undefined ? [6, 17, 132] : [l4]
    const v4 = and(
      this.linkType(ETHERTYPE.ip),
      anyOf(protos.map((p) => and(and(this.ipProto(p), this.notFragment()), test(transport))))
    )
    const v6 = and(
      this.linkType(ETHERTYPE.ip6),
      anyOf(
        protos.map((p) =>
          and(
            this.nextHeader(p),
            test(() => pl + 40)
          )
        )
      )
    )
    return or(v4, v6)
  }

  portProto(proto: Proto, what: 'port' | 'portrange'): number | undefined {
    if (proto === 'default') return undefined
    if (proto === 'tcp' || proto === 'udp' || proto === 'sctp') return IP_PROTO[proto]
    throw new PcapFilterError(`illegal qualifier of '${what}'`)
  }

  ncode(text: string | undefined, num: number, q: Qual): Pred {
    let v = num
    let bits = 32
    if (text !== undefined) {
      const a = atoin(text)
      if (a.bits < 0) throw new PcapFilterError(`invalid IPv4 address '${text}'`)
      v = a.value
      bits = a.bits
    }
    switch (q.addr) {
      case 'default':
      case 'host':
      case 'net': {
        if (q.proto === 'link') throw new PcapFilterError('illegal link layer address')
        let mask = 0xffffffff
        if (text === undefined && q.addr === 'net') {
          while (v !== 0 && (v & 0xff000000) === 0) {
            v = (v << 8) >>> 0
            mask = (mask << 8) >>> 0
          }
        } else {
          v = bits === 32 ? v : (v << (32 - bits)) >>> 0
          mask = bits === 32 ? mask : (mask << (32 - bits)) >>> 0
        }
        return this.host(v, mask, q.proto, q.dir, q.addr === 'net' ? 'net' : 'host')
      }
      case 'port':
      case 'portrange': {
        const l4 = this.portProto(q.proto, q.addr)
        if (v > 65535) throw new PcapFilterError(`illegal port number ${v} > 65535`)
        return this.ports(v, v, l4, q.dir)
      }
      case 'gateway':
        throw new PcapFilterError("'gateway' requires a name")
      case 'proto':
        return this.proto(v, q.proto, q.dir)
      case 'undef':
        throw new PcapFilterError('syntax error in filter expression')
    }
  }

  mcode(net: string, maskText: string | undefined, maskLen: number, q: Qual): Pred {
    const n = atoin(net)
    if (n.bits < 0) throw new PcapFilterError(`invalid IPv4 address '${net}'`)
    const value = (n.value * 2 ** (32 - n.bits)) >>> 0
    let mask: number
    if (maskText !== undefined) {
      const m = atoin(maskText)
      if (m.bits < 0) throw new PcapFilterError(`invalid IPv4 address '${maskText}'`)
      mask = (m.value * 2 ** (32 - m.bits)) >>> 0
      if ((value & ~mask) !== 0)
        throw new PcapFilterError(`non-network bits set in "${net} mask ${maskText}"`)
    } else {
      if (maskLen > 32) throw new PcapFilterError('mask length must be <= 32')
      mask = maskLen === 0 ? 0 : (0xffffffff << (32 - maskLen)) >>> 0
      if ((value & ~mask) !== 0) throw new PcapFilterError(`non-network bits set in "${net}/${maskLen}"`)
    }
    if (q.addr !== 'net') throw new PcapFilterError('Mask syntax for networks only')
    return this.host(value, mask, q.proto, q.dir, 'net')
  }

  servicePort(name: string): { port: number; l4: number | undefined } | undefined {
    const s = SERVICES[name]
    if (!s) return undefined
    const [tcp, udp] = s
    if (tcp !== undefined && udp !== undefined) return { port: tcp, l4: undefined }
    return tcp !== undefined ? { port: tcp, l4: 6 } : { port: udp ?? 0, l4: 17 }
  }

  scode(name: string, q: Qual): Pred {
    switch (q.addr) {
      case 'net':
        throw new PcapFilterError(`unknown network '${name}'`)
      case 'default':
      case 'host': {
        if (q.proto === 'link') throw new PcapFilterError(`unknown ether host '${name}'`)
        const addrs = this.env.resolveHost(name)
        if (addrs === undefined || addrs.length === 0) throw new PcapFilterError(`unknown host '${name}'`)
        return anyOf(addrs.map((a) => this.host(a, 0xffffffff, q.proto, q.dir, 'host')))
      }
      case 'port':
      case 'portrange': {
        const l4 = this.portProto(q.proto, q.addr)
        if (q.addr === 'port') {
          const s = this.servicePort(name)
          if (!s) throw new PcapFilterError(`unknown port '${name}'`)
          return this.ports(s.port, s.port, this.checkPortProto(name, s.l4, l4), q.dir)
        }
        const range = /^(\d+)-(\d+)/.exec(name)
        let lo: number
        let hi: number
        let real: number | undefined
        if (range) {
          lo = Number(range[1])
          hi = Number(range[2])
        } else {
          const [a, b] = name.split('-')
          const pa = a === undefined ? undefined : this.servicePort(a)
          const pb = b === undefined ? undefined : this.servicePort(b)
          if (!pa || !pb) throw new PcapFilterError(`unknown port in range '${name}'`)
          lo = pa.port
          hi = pb.port
          real = pa.l4
        }
        for (const p of [lo, hi]) if (p > 65535) throw new PcapFilterError(`illegal port number ${p} > 65535`)
        return this.ports(lo, hi, this.checkPortProto(name, real, l4), q.dir)
      }
      case 'proto': {
        const table = q.proto === 'link' ? ETHER_PROTOS : PROTOCOLS
        const v = table[name]
        if (v === undefined)
          throw new PcapFilterError(`unknown ${q.proto === 'link' ? 'ether' : 'ip'} proto '${name}'`)
        return this.proto(v, q.proto, q.dir)
      }
      case 'gateway':
        throw new PcapFilterError(`unknown ether host '${name}'`)
      case 'undef':
        throw new PcapFilterError('syntax error in filter expression')
    }
  }

  /** A named port's own protocol must agree with a `tcp`/`udp` qualifier. */
  checkPortProto(name: string, real: number | undefined, asked: number | undefined): number | undefined {
    if (asked === undefined) return real
    const names: Record<number, string> = { 6: 'tcp', 17: 'udp', 132: 'sctp' }
    if (real !== undefined && real !== asked)
      throw new PcapFilterError(`port '${name}' is ${names[real] ?? ''}`)
    return asked
  }

  ecode(mac: readonly number[], q: Qual): Pred {
    if ((q.addr !== 'host' && q.addr !== 'default') || q.proto !== 'link')
      throw new PcapFilterError('ethernet address used in non-ether expression')
    this.requireEthernet()
    const at =
      (off: number): Pred =>
      (f) =>
        mac.every((b, i) => u8(f, off + i) === b)
    const dir = q.dir
    return dir === 'src'
      ? at(6)
      : dir === 'dst'
        ? at(0)
        : dir === 'and'
          ? and(at(6), at(0))
          : or(at(6), at(0))
  }

  requireEthernet(): void {
    if (this.env.linkType !== 'en10mb')
      throw new PcapFilterError(
        'ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel'
      )
  }

  broadcast(proto: Proto): Pred {
    if (proto === 'ip') throw new PcapFilterError("netmask not known, so 'ip broadcast' not supported")
    if (proto !== 'default' && proto !== 'link')
      throw new PcapFilterError('only link-layer/IP broadcast filters supported')
    if (this.env.linkType !== 'en10mb') throw new PcapFilterError('not a broadcast link')
    return (f) => [0, 1, 2, 3, 4, 5].every((i) => u8(f, i) === 0xff)
  }

  multicast(proto: Proto): Pred {
    const pl = this.#offLinkPl
    if (proto === 'ip') return and(this.linkType(ETHERTYPE.ip), (f) => u8(f, pl + 16) >= 224)
    if (proto === 'ip6') return and(this.linkType(ETHERTYPE.ip6), (f) => u8(f, pl + 24) === 255)
    if (proto !== 'default' && proto !== 'link')
      throw new PcapFilterError(
        'only IP multicast filters supported on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel'
      )
    if (this.env.linkType !== 'en10mb')
      throw new PcapFilterError(
        'link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel'
      )
    return (f) => (u8(f, 0) & 1) === 1
  }

  /** `vlan [id]`: everything parsed after it reads 4 bytes further in, as libpcap's does. */
  vlan(vid: number | undefined): Pred {
    if (this.env.linkType !== 'en10mb') throw new PcapFilterError('no VLAN support for Linux cooked v2')
    if (vid !== undefined && vid > 4095)
      throw new PcapFilterError(`VLAN tag ${vid} greater than maximum 4095`)
    const tpidAt = this.#offLinkType
    const tciAt = this.#offLinkPl
    this.#offLinkType += 4
    this.#offLinkPl += 4
    const tagged: Pred = (f) => [0x8100, 0x88a8, 0x9100].includes(u16(f, tpidAt))
    return vid === undefined ? tagged : and(tagged, (f) => (u16(f, tciAt) & 0x0fff) === vid)
  }
}

/**
 * Compiles a filter expression (tcpdump joins its operands with spaces). An empty expression
 * accepts every packet.
 */
export function compilePcapFilter(expression: string, env: FilterEnv): PacketFilter {
  const c = new Compiler(scan(expression), env)
  if (c.done) return () => true
  let pred: Pred
  try {
    pred = c.expr(QERR).pred
    if (!c.done) throw new NoMatch()
  } catch (e) {
    if (e instanceof NoMatch) throw syntaxError()
    throw e
  }
  if (rejectsAll(pred)) throw new PcapFilterError('expression rejects all packets')
  return (frame) => {
    try {
      return pred(frame)
    } catch (e) {
      if (e instanceof OutOfBounds) return false
      throw e
    }
  }
}
