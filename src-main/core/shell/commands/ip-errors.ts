/** The usage errors every ip subcommand shares, worded and exiting as iproute2's utils.c does. */
import type { CommandOutput } from '../command.ts'
import { fail } from '../command.ts'

/** invarg(): iproute2 prints `what` as given, so a message carrying its own newline leaves a blank line. */
export const invalidArgument = (word: string, what: string): CommandOutput =>
  fail(`Error: argument "${word}" is wrong: ${what}\n`, 255)

/** incomplete_command() */
export const incomplete = (): CommandOutput => fail('Command line is not complete. Try option "help"\n', 255)
