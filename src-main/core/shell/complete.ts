/**
 * Tab completion for the lab's terminals, from the same registry the shell runs commands with:
 * command names where a command starts, a command's subcommands after it, and names the target
 * really has where a command expects one (`ip link show <TAB>` offers this namespace's links,
 * `kubectl delete pod <TAB>` the cluster's pods).
 */

import type { CompletionData } from './command.ts'

export interface Completion {
  /** The line with the word under the cursor completed as far as it is unambiguous. */
  readonly line: string
  readonly cursor: number
  /** Every match when more than one remains (what bash lists on a second Tab). */
  readonly candidates: readonly string[]
}

/** kubectl's resource words the simulator answers, with the short names kubectl accepts too. */
const kubectlResources = ['endpoints', 'endpointslices', 'nodes', 'pods', 'services']

/** Words after which iproute2, bridge and tcpdump expect a link name. */
const deviceKeywords = new Set(['dev', 'master', '-i', 'brport'])

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? ''
  for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1)
  return prefix
}

/** The words of the simple command the cursor is in: after the last pipe, `;`, `&&` or `do`. */
function commandWords(before: string): string[] {
  const segment = before.split(/\|\||&&|[|;]|\bdo\b|\bthen\b/).at(-1) ?? ''
  return segment.trim() === '' ? [] : segment.trim().split(/\s+/)
}

/** What may stand at the cursor, given the words of the command before it. */
function pool(words: readonly string[], data: CompletionData): readonly string[] {
  const [command, ...args] = words
  if (command === undefined) return data.commands
  const previous = args.at(-1)
  if (previous !== undefined && deviceKeywords.has(previous)) return data.devices
  // tcpdump's flags bundle: `-ni` and `-eni` take the interface too.
  if (command === 'tcpdump' && previous !== undefined && /^-[a-zA-Z]*i$/.test(previous)) return data.devices
  const positional = args.filter((a) => !a.startsWith('-'))
  switch (command) {
    case 'ip': {
      const object = positional[0]
      if (object === undefined) return data.subcommands['ip'] ?? []
      if (positional.length === 1) {
        if (/^l/.test(object)) return ['show', 'set', 'add', 'del']
        if (/^a/.test(object)) return ['show', 'add', 'del']
        if (/^r/.test(object)) return ['show', 'get', 'add', 'del']
        if (/^n/.test(object)) return ['show', 'add', 'del', 'flush']
        return []
      }
      // `ip link show cni0`, `ip link set cni0 down`, `ip addr show eth0`: the device follows the verb.
      if (positional.length === 2 && (/^l/.test(object) || (/^a/.test(object) && positional[1] === 'show')))
        return data.devices
      if (positional.length === 3 && /^l/.test(object) && positional[1] === 'set')
        return ['up', 'down', 'mtu']
      return []
    }
    case 'kubectl': {
      const verb = positional[0]
      if (verb === undefined) return data.subcommands['kubectl'] ?? []
      if (verb === 'get' || verb === 'describe') {
        if (positional.length === 1) return kubectlResources
        const kind = positional[1] ?? ''
        if (/^(po|pods?)$/.test(kind)) return data.pods
        if (/^(svc|services?)$/.test(kind)) return data.services
        if (/^(no|nodes?)$/.test(kind)) return data.nodes
        return []
      }
      if (verb === 'logs' || verb === 'exec') return positional.length === 1 ? data.pods : []
      if (verb === 'delete') return positional.length === 1 ? ['pod'] : data.pods
      if (verb === 'scale') return positional.length === 1 ? ['deployment'] : []
      return []
    }
    default: {
      const subcommands = data.subcommands[command]
      if (subcommands && positional.length === 0) return subcommands
      return []
    }
  }
}

/** Completes the word that ends at `cursor`; a line with nothing to offer comes back unchanged. */
export function completeLine(line: string, cursor: number, data: CompletionData): Completion {
  const at = Math.max(0, Math.min(cursor, line.length))
  const head = line.slice(0, at)
  const start = head.search(/\S*$/)
  const partial = head.slice(start)
  const candidates = [...new Set(pool(commandWords(head.slice(0, start)), data))]
    .filter((word) => word.startsWith(partial))
    .sort()
  if (candidates.length === 0) return { line, cursor: at, candidates: [] }
  const completion = candidates.length === 1 ? `${candidates[0] as string} ` : commonPrefix(candidates)
  return {
    line: head.slice(0, start) + completion + line.slice(at),
    cursor: start + completion.length,
    candidates: candidates.length > 1 ? candidates : []
  }
}
