/**
 * `sleep` (GNU coreutils 9.1): the lab's logical clock moves on by the sum of the operands, so
 * what ages with time ages as it would on a real node — bridge FDB entries (300 s), neighbour
 * states, conntrack timeouts — without the learner actually waiting.
 */

import type { Command } from '../command.ts'
import { killedStatus, waitFor } from '../timeout-signal.ts'

const tryHelp = "Try 'sleep --help' for more information.\n"
const UNIT_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export const sleepCommand: Command = {
  name: 'sleep',
  summary: 'let lab time pass: sleep N[smhd] (FDB, neighbour and conntrack entries age)',
  run(argv, ctx) {
    const fail = (stderr: string): { stdout: string; stderr: string; exitCode: number } => ({
      stdout: '',
      stderr,
      exitCode: 1
    })
    const operands = argv[0] === '--' ? argv.slice(1) : argv
    const option = operands.find((a) => /^-[^.\d]/.test(a))
    if (option !== undefined && argv[0] !== '--')
      return fail(
        option.startsWith('--')
          ? `sleep: unrecognized option '${option}'\n${tryHelp}`
          : `sleep: invalid option -- '${option[1] ?? ''}'\n${tryHelp}`
      )
    if (operands.length === 0) return fail(`sleep: missing operand\n${tryHelp}`)
    let total = 0
    for (const a of operands) {
      const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a)
      if (!m) return fail(`sleep: invalid time interval ‘${a}’\n${tryHelp}`)
      total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 1000)
    }
    const signal = waitFor(ctx, Math.round(total))
    return { stdout: '', stderr: '', exitCode: signal === undefined ? 0 : killedStatus(signal) }
  }
}
