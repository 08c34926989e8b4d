/** `conntrack -L [-p P]` and `conntrack -F` (conntrack-tools 1.4.7). */
import type { Command } from '../command.ts'
import { fail } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { expireConntrack, type CtEntry, type CtTuple } from '../../linux/conntrack.ts'
import { formatIpv4 } from '../../net/ipv4.ts'

const PROTO_NUMBER = { tcp: 6, udp: 17, icmp: 1 } as const
const VERSION = 'conntrack v1.4.7 (conntrack-tools)'

function tuple(e: CtEntry, t: CtTuple, reply: boolean): string {
  const base = `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)}`
  if (e.proto === 'icmp') return `${base} type=${reply ? 0 : 8} code=0 id=${t.sport}`
  return `${base} sport=${t.sport} dport=${t.dport}`
}

/** One entry as `conntrack -L` prints it; the timeout is whole seconds left. */
export function formatCtEntry(e: CtEntry, nowMs: number): string {
  const left = Math.max(0, Math.ceil((e.expiresAt - nowMs) / 1000) - 1)
  const head = `${e.proto.padEnd(8)} ${PROTO_NUMBER[e.proto]} ${left} ${e.tcpState ? `${e.tcpState} ` : ''}`
  return `${head}${tuple(e, e.original, false)} ${e.seenReply ? '' : '[UNREPLIED] '}${tuple(e, e.reply, true)} ${e.assured ? '[ASSURED] ' : ''}mark=${e.mark} use=1`
}

export const conntrackCommand: Command = {
  name: 'conntrack',
  summary: 'list or flush the connection tracking table',
  availableOn: ['node', 'external'],
  run(argv, ctx) {
    const lab = ctx.lab as Lab
    const ns = lab.netns.get(ctx.target.netns)!
    expireConntrack(ns.conntrack, lab.clock.nowMs)
    let action: 'L' | 'F' | undefined
    let proto: string | undefined
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!
      if (a === '-L' || a === '--dump') action = 'L'
      else if (a === '-F' || a === '--flush') action = 'F'
      else if (a === '-p' || a === '--proto' || a === '--protonum') {
        proto = argv[++i]
        if (proto !== 'tcp' && proto !== 'udp' && proto !== 'icmp')
          return fail(`${VERSION}: \`${proto ?? ''}' unsupported protocol\n`, 2)
      } else
        return fail(
          `${VERSION}: Unknown argument: \`${a}'\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`,
          2
        )
    }
    if (action === 'F') {
      ns.conntrack.entries = []
      return fail(`${VERSION}: connection tracking table has been emptied.\n`, 0)
    }
    if (action !== 'L')
      return fail(
        `${VERSION}: no command specified\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`,
        2
      )
    // The kernel's hash order looks arbitrary; newest first is what a learner finds on top after a test.
    const entries = [...ns.conntrack.entries]
      .reverse()
      .filter((e) => e.expiresAt !== -1 && (proto === undefined || e.proto === proto))
    return {
      stdout: entries.map((e) => `${formatCtEntry(e, lab.clock.nowMs)}\n`).join(''),
      stderr: `${VERSION}: ${entries.length} flow entries have been shown.\n`,
      exitCode: 0
    }
  }
}
