/**
 * `nc`: netcat-openbsd 1.219 (Debian 12) where Debian's userland runs, BusyBox's applet in a
 * busybox container. Both scan (-z) and, with data piped in, send it over the connection and
 * print what the app answers. Typing into a live connection is not simulated: without piped
 * data and without -z, nc says so instead of pretending.
 */

import type { Command, CommandContext, CommandOutput } from '../command.ts'
import { dialectOf } from '../dialect.ts'
import type { Prober } from './ping.ts'
import { runOpenbsdNc } from './nc-openbsd.ts'
import { runBusyboxNc } from './nc-busybox.ts'

export function ncCommand(probe: Prober): Command {
  return {
    name: 'nc',
    summary: 'open a TCP/UDP connection: nc -zv HOST PORT scans, echo DATA | nc HOST PORT sends (-u -w s)',
    sendsTraffic: true,
    run: (argv: readonly string[], ctx: CommandContext): CommandOutput =>
      dialectOf(ctx.target) === 'busybox' ? runBusyboxNc(argv, ctx, probe) : runOpenbsdNc(argv, ctx, probe)
  }
}
