/**
 * `wget`: GNU Wget 1.21.3 where Debian's userland runs (nodes, external hosts, the `podnet/*`
 * images), BusyBox's applet in a busybox container. Both fetch over one whole TCP connection
 * through the packet engine, print their progress to stderr as each does when stderr is not a
 * terminal, and save into the shell's files (index.html, -O FILE) or write to stdout (-O-).
 */

import type { Command, CommandContext, CommandOutput } from '../command.ts'
import { dialectOf } from '../dialect.ts'
import type { Prober } from './ping.ts'
import { runGnuWget } from './wget-gnu.ts'
import { runBusyboxWget } from './wget-busybox.ts'

export function wgetCommand(probe: Prober): Command {
  return {
    name: 'wget',
    summary: 'fetch a URL through the lab network (-q -O FILE|- -S -T s --spider; BusyBox wget in busybox)',
    sendsTraffic: true,
    run: (argv: readonly string[], ctx: CommandContext): CommandOutput =>
      dialectOf(ctx.target) === 'busybox' ? runBusyboxWget(argv, ctx, probe) : runGnuWget(argv, ctx, probe)
  }
}
