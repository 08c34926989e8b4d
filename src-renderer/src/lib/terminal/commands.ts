import { hasPlaceholder } from '../../../../src-main/core/lesson/command-target.ts'

/**
 * The commands the lab's shells know (tool names, never translated): a code span in lesson prose
 * that starts with one becomes a runnable command. Tab completion asks the lab (`shell:complete`).
 */
export const shellCommands: readonly string[] = [
  'bridge',
  'cat',
  'clear',
  'conntrack',
  'crictl',
  'curl',
  'dmesg',
  'grep',
  'head',
  'help',
  'hostname',
  'ip',
  'ipvsadm',
  'iptables',
  'iptables-save',
  'kubectl',
  'modprobe',
  'nc',
  'nft',
  'ping',
  'ps',
  'seq',
  'sleep',
  'sort',
  'ss',
  'sysctl',
  'tail',
  'tcpdump',
  'traceroute',
  'uniq',
  'wc',
  'wget'
]

/** A complete command line worth one click: a known command, no `<placeholder>` or `a|b` choice left to fill in. */
export function isRunnable(text: string): boolean {
  const first = text.trim().split(/\s+/)[0] ?? ''
  return shellCommands.includes(first) && !hasPlaceholder(text)
}
