/** The usage errors and number parsing every ip subcommand shares, as iproute2's utils.c has them. */
import type { CommandOutput } from '../command.ts'
import { fail } from '../command.ts'

/** A one-line error on stderr; iproute2 exits 1 unless the failure is the kernel's (2) or usage (255). */
export const bad = (msg: string, code = 1): CommandOutput => fail(`${msg}\n`, code)

/** invarg(): iproute2 prints `what` as given, so a message carrying its own newline leaves a blank line. */
export const invalidArgument = (word: string, what: string): CommandOutput =>
  fail(`Error: argument "${word}" is wrong: ${what}\n`, 255)

/** incomplete_command() */
export const incomplete = (): CommandOutput => fail('Command line is not complete. Try option "help"\n', 255)

/** strtoul/strtol with base 0: decimal, 0x hex or leading-zero octal, without the sign. */
function parseBase0(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text.slice(2), 16)
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8)
  if (/^[1-9]\d*$/.test(text)) return Number(text)
  return undefined
}

/** get_u32 with base 0. */
export function parseU32(text: string): number | undefined {
  const n = parseBase0(text)
  return n !== undefined && n <= 0xffffffff ? n : undefined
}

/** get_u16 with base 0. */
export function parseU16(text: string): number | undefined {
  const n = parseBase0(text)
  return n !== undefined && n <= 0xffff ? n : undefined
}

/** get_integer with base 0: a signed int, so `mtu -1` reaches the kernel and fails there. */
export function parseInt32(text: string): number | undefined {
  const negative = text.startsWith('-')
  const magnitude = parseBase0(/^[+-]/.test(text) ? text.slice(1) : text)
  if (magnitude === undefined) return undefined
  const n = negative ? -magnitude : magnitude
  return n >= -0x80000000 && n <= 0x7fffffff ? n : undefined
}
