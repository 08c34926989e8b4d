/**
 * `conntrack -L`, `-D`, `-F`, `-C`, `-S` and `-E` (conntrack-tools 1.4.7) on the namespace's table. `-E`
 * runs on: it listens to the namespace's ctnetlink events as the kernel model raises them and
 * prints each, until Ctrl+C or a signal, then how many it showed.
 */
import type { Command, CommandContext, CommandOutput, LiveProcess, ProcessIo } from '../command.ts'
import { fail } from '../command.ts'
import {
  deleteConntrack,
  expireConntrack,
  type CtEntry,
  type CtProto,
  type CtTuple
} from '../../linux/conntrack.ts'
import type { CtEvent } from '../../linux/netlink.ts'
import { formatIpv4, parseIpv4 } from '../../net/ipv4.ts'
import { randomInt } from '../../net/rng.ts'

const PROTO_NUMBER = { tcp: 6, udp: 17, icmp: 1 } as const
const VERSION = 'conntrack v1.4.7 (conntrack-tools)'
const TRY_HELP = "Try `conntrack -h' or 'conntrack --help' for more information.\n"
const EVENT_TYPES = ['NEW', 'UPDATE', 'DESTROY'] as const

function tuple(e: CtEntry, t: CtTuple, reply: boolean): string {
  const base = `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)}`
  if (e.proto === 'icmp') return `${base} type=${reply ? 0 : 8} code=0 id=${t.sport}`
  return `${base} sport=${t.sport} dport=${t.dport}`
}

/** Whole seconds left, as the kernel rounds the timeout it reports a moment after setting it. */
function secondsLeft(e: CtEntry, nowMs: number): number {
  return Math.max(0, Math.ceil((e.expiresAt - nowMs) / 1000) - 1)
}

/** One entry as `conntrack -L` prints it; the timeout is whole seconds left. */
export function formatCtEntry(e: CtEntry, nowMs: number): string {
  const head = `${e.proto.padEnd(8)} ${PROTO_NUMBER[e.proto]} ${secondsLeft(e, nowMs)} ${e.tcpState ? `${e.tcpState} ` : ''}`
  return `${head}${tuple(e, e.original, false)} ${e.seenReply ? '' : '[UNREPLIED] '}${tuple(e, e.reply, true)} ${e.assured ? '[ASSURED] ' : ''}mark=${e.mark} use=1`
}

/**
 * One event as `conntrack -E` prints it. NEW and UPDATE carry the timeout just set; a DESTROY
 * carries what was left only when a netlink socket deleted the entry, and then names it.
 */
export function formatCtEvent(ev: CtEvent, nowMs: number): string {
  const e = ev.entry
  const timeout =
    ev.type !== 'DESTROY'
      ? [String(Math.ceil((e.expiresAt - nowMs) / 1000))]
      : ev.portid !== undefined
        ? [String(secondsLeft(e, nowMs))]
        : []
  return [
    `[${ev.type}]`.padStart(9),
    e.proto.padEnd(8),
    String(PROTO_NUMBER[e.proto]),
    ...timeout,
    ...(e.tcpState ? [e.tcpState] : []),
    tuple(e, e.original, false),
    ...(e.seenReply ? [] : ['[UNREPLIED]']),
    tuple(e, e.reply, true),
    ...(e.assured ? ['[ASSURED]'] : []),
    ...(e.mark !== 0 ? [`mark=${e.mark}`] : []),
    ...(ev.portid !== undefined ? [`[USERSPACE] portid=${ev.portid} progname=conntrack`] : [])
  ].join(' ')
}

interface Request {
  action: 'L' | 'D' | 'F' | 'E' | 'C' | 'S' | undefined
  proto?: CtProto
  events: ReadonlySet<CtEvent['type']>
  matches: (e: CtEntry) => boolean
}

const usage = (message: string): CommandOutput => fail(`${VERSION}: ${message}\n${TRY_HELP}`, 2)

function parse(argv: readonly string[]): Request | CommandOutput {
  let action: Request['action']
  let proto: CtProto | undefined
  let events: ReadonlySet<CtEvent['type']> = new Set(EVENT_TYPES)
  const tests: ((e: CtEntry) => boolean)[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const value = (): string => argv[++i] ?? ''
    if (a === '-L' || a === '--dump') action = 'L'
    else if (a === '-F' || a === '--flush') action = 'F'
    else if (a === '-D' || a === '--delete') action = 'D'
    else if (a === '-E' || a === '--event') action = 'E'
    else if (a === '-C' || a === '--count') action = 'C'
    else if (a === '-S' || a === '--stats') action = 'S'
    else if (a === '-p' || a === '--proto' || a === '--protonum') {
      const p = value()
      if (p !== 'tcp' && p !== 'udp' && p !== 'icmp') return usage(`\`${p}' unsupported protocol`)
      proto = p
    } else if (a === '-e' || a === '--event-mask') {
      const words = value().split(',')
      const bad = words.find((w) => w !== 'ALL' && !(EVENT_TYPES as readonly string[]).includes(w))
      if (bad !== undefined) return usage(`Bad parameter \`${bad}'`)
      events = new Set(words.includes('ALL') ? EVENT_TYPES : (words as CtEvent['type'][]))
    } else if (['-s', '--src', '--orig-src', '-d', '--dst', '--orig-dst'].includes(a)) {
      const text = value()
      const ip = parseIpv4(text)
      if (ip === undefined) return usage(`Bad IP address \`${text}'`)
      const source = a === '-s' || a === '--src' || a === '--orig-src'
      tests.push((e) => (source ? e.original.src : e.original.dst) === ip)
    } else if (['--sport', '--orig-port-src', '--dport', '--orig-port-dst'].includes(a)) {
      const port = Number(value())
      const source = a === '--sport' || a === '--orig-port-src'
      tests.push((e) => (source ? e.original.sport : e.original.dport) === port)
    } else if (a.startsWith('-')) return usage(`unknown option \`${a}'`)
    else return usage(`Unknown argument: \`${a}'`)
  }
  const matches = (e: CtEntry): boolean =>
    (proto === undefined || e.proto === proto) && tests.every((t) => t(e))
  return { action, ...(proto ? { proto } : {}), events, matches }
}

/** kubeadm's minimum, and what the lab's nodes are taken to have. */
const NODE_CPUS = 2

/**
 * The counters Linux 6.1 reports per CPU, in the order conntrack prints them. The lab counts
 * only `drop` (a packet that needed a new entry in a full table); it hands every packet to the
 * first CPU, and the counters it does not model stay 0.
 */
function perCpuStats(drops: number): string {
  let out = ''
  for (let cpu = 0; cpu < NODE_CPUS; cpu++) {
    const drop = cpu === 0 ? drops : 0
    out += `cpu=${String(cpu).padEnd(4)}\tfound=0 invalid=0 insert=0 insert_failed=0 drop=${drop} early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0 \n`
  }
  return out
}

function oneShot(r: Request, ctx: CommandContext): CommandOutput {
  const lab = ctx.lab
  const ns = lab.netns.get(ctx.target.netns)!
  expireConntrack(ns.conntrack, lab.clock.nowMs, ns.netlink)
  if (r.action === 'F' || r.action === 'D') {
    const portid = randomInt(lab.rng, 0x80000000, 0xffffffff)
    const deleted = deleteConntrack(
      ns.conntrack,
      ns.netlink,
      portid,
      r.action === 'F' ? () => true : r.matches
    )
    if (r.action === 'F') return fail(`${VERSION}: connection tracking table has been emptied.\n`, 0)
    return {
      stdout: deleted.map((e) => `${formatCtEntry(e, lab.clock.nowMs)}\n`).join(''),
      stderr: `${VERSION}: ${deleted.length} flow entries have been deleted.\n`,
      exitCode: deleted.length > 0 ? 0 : 1
    }
  }
  if (r.action === 'E')
    // Nobody can press Ctrl+C here (a script, the CLI): it is interrupted before any event.
    return fail(`${VERSION}: 0 flow events have been shown.\n`, 0)
  if (r.action === 'C') return { stdout: `${ns.conntrack.entries.length}\n`, stderr: '', exitCode: 0 }
  if (r.action === 'S') return { stdout: perCpuStats(ns.conntrack.drops ?? 0), stderr: '', exitCode: 0 }
  if (r.action !== 'L') return usage('no command specified')
  // The kernel's hash order looks arbitrary; newest first is what a learner finds on top after a test.
  const entries = [...ns.conntrack.entries].reverse().filter((e) => e.expiresAt !== -1 && r.matches(e))
  return {
    stdout: entries.map((e) => `${formatCtEntry(e, lab.clock.nowMs)}\n`).join(''),
    stderr: `${VERSION}: ${entries.length} flow entries have been shown.\n`,
    exitCode: 0
  }
}

function listen(r: Request, ctx: CommandContext, io: ProcessIo): LiveProcess {
  const groups = ctx.lab.netns.get(ctx.target.netns)!.netlink
  let shown = 0
  const print = (ev: CtEvent): void => {
    if (!r.events.has(ev.type) || !r.matches(ev.entry)) return
    shown++
    io.write('stdout', `${formatCtEvent(ev, ctx.lab.clock.nowMs)}\n`)
  }
  groups.conntrack.add(print)
  return {
    // conntrack's handler for SIGINT and SIGTERM prints the count and exits 0.
    signal: () => {
      if (!groups.conntrack.delete(print)) return
      io.write('stderr', `${VERSION}: ${shown} flow events have been shown.\n`)
      io.exit(0)
    }
  }
}

export const conntrackCommand: Command = {
  name: 'conntrack',
  summary:
    'list, delete or flush connection tracking entries, count them (-C), show counters (-S); -E shows events until Ctrl+C',
  availableOn: ['node', 'external'],
  run(argv, ctx) {
    const r = parse(argv)
    return 'exitCode' in r ? r : oneShot(r, ctx)
  },
  spawn(argv, ctx, io) {
    const r = parse(argv)
    if ('exitCode' in r) return r
    return r.action === 'E' ? listen(r, ctx, io) : oneShot(r, ctx)
  }
}
