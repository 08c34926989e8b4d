/**
 * Where a command in lesson text runs. Authors put the shell's name and `$` in front of it, the
 * way that shell's prompt reads: `node-1$ iptables-save -t nat`, `web/app$ ip addr`. A command
 * written without one runs in whichever terminal is on screen.
 */
export interface CommandText {
  /** A node, pod, pod/container or external host of the lesson's scenario; undefined when unnamed. */
  readonly on: string | undefined
  readonly command: string
}

/** A DNS-1123 name, optionally `/container`: what `targetNameSchema` accepts, then `$` and the command. */
const TARGETED = /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\/[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)?)\$[ \t]+(\S[^\n]*)$/

export function commandText(text: string): CommandText {
  const trimmed = text.trim()
  const match = TARGETED.exec(trimmed)
  if (!match) return { on: undefined, command: trimmed }
  return { on: match[1] as string, command: (match[2] as string).trimEnd() }
}

/**
 * Whether a command still has something for the learner to fill in (`<mac>`, `…`, a choice such
 * as `up|down`) and so cannot be run with one click. A redirect looks the same and is excluded too.
 */
export function hasPlaceholder(command: string): boolean {
  return /[<>…]|\w\|\w/.test(command)
}
