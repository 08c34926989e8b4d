/** The lab's wall clock (UTC), for tools that print the date and time of day. */

import type { CommandContext } from './command.ts'

/** `2026-12-07 23:30:00`: date and time of day to the second. */
export function labDateTime(ctx: CommandContext): string {
  return new Date(ctx.lab.clock.epochMs + ctx.lab.clock.nowMs).toISOString().slice(0, 19).replace('T', ' ')
}
