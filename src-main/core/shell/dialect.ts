/**
 * Which userland a target runs: bash and Debian's tools on nodes, external hosts and the lab's
 * `podnet/*` images (built on debian:12-slim), BusyBox in a `busybox` container. The dialect
 * decides the shell's error prefixes, the tools that exist, and which implementation of a tool
 * that both have (`wget`, `nc`, `ps`) answers.
 */

import type { Command, Target } from './command.ts'

export type ShellDialect = 'bash' | 'busybox'

export function dialectOf(target: Pick<Target, 'image'>): ShellDialect {
  return target.image !== undefined && isBusyboxImage(target.image) ? 'busybox' : 'bash'
}

export function isBusyboxImage(image: string): boolean {
  const name = image.split('@')[0]!.replace(/:[^/]*$/, '')
  return name === 'busybox' || name.endsWith('/busybox')
}

/** Whether the target has the command: its kind must be one it runs on, and BusyBox must have it as an applet. */
export function commandExistsOn(command: Command, target: Pick<Target, 'kind' | 'image'>): boolean {
  if (command.availableOn && !command.availableOn.includes(target.kind)) return false
  return !(command.notInBusybox === true && dialectOf(target) === 'busybox')
}
