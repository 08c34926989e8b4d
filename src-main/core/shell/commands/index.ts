/**
 * Every command the lab's shells know. Sim core's state commands and the shell helper's
 * traffic, Kubernetes and text commands are listed here; `help` and completion read the same
 * registry.
 */

import { CommandRegistry } from '../command.ts'
import { catCommand, clearCommand, headCommand, seqCommand, sortCommand, tailCommand, uniqCommand, wcCommand } from './coreutils.ts'
import { grepCommand } from './grep.ts'

export function defaultRegistry(): CommandRegistry {
  return new CommandRegistry([catCommand, clearCommand, grepCommand, headCommand, seqCommand, sortCommand, tailCommand, uniqCommand, wcCommand])
}
