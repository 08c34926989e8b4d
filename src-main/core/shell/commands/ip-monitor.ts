/**
 * `ip monitor [neigh]` (iproute2 6.1): listens to the namespace's neighbour events and prints
 * each as `ip neigh` would show the entry (`Deleted ` before a removal), until Ctrl+C. The
 * lab raises no link, address or route events, so only neighbours can be watched.
 */
import type { CommandContext, CommandOutput, LiveProcess, ProcessIo } from '../command.ts'
import { fail } from '../command.ts'
import { linkByIndex } from '../../linux/netns.ts'
import type { NeighEvent } from '../../linux/netlink.ts'
import { formatIpv4 } from '../../net/ipv4.ts'

/** `mon`, `moni` … `monitor`: iproute2 takes any prefix no other object claims first. */
export const isMonitor = (word: string): boolean => word.length >= 3 && 'monitor'.startsWith(word)

/** One event as `ip monitor` prints it; the kernel sends no address with a failed entry. */
export function formatNeighEvent(ev: NeighEvent, device: string): string {
  const n = ev.neighbour
  const lladdr = n.lladdr && ev.state !== 'FAILED' && ev.state !== 'INCOMPLETE' ? ` lladdr ${n.lladdr}` : ''
  return `${ev.type === 'del' ? 'Deleted ' : ''}${formatIpv4(n.ip)} dev ${device}${lladdr} ${ev.state} `
}

/** The objects after `monitor`, checked; undefined when they ask only for neighbours. */
function refusal(objects: readonly string[]): CommandOutput | undefined {
  for (const o of objects) {
    if (o === 'neigh' || o === 'all') continue
    if (
      ['link', 'address', 'addr', 'route', 'rule', 'netconf', 'nsid', 'prefix', 'mroute', 'stats'].includes(o)
    )
      return fail(`ip monitor: the lab raises no ${o} events; watch neighbours with "ip monitor neigh"\n`, 1)
    return fail(`Argument "${o}" is unknown, try "ip monitor help".\n`, 255)
  }
  return undefined
}

/** Where nobody can press Ctrl+C (a script, the CLI), it is interrupted before any event. */
export function monitorAtOnce(objects: readonly string[]): CommandOutput {
  return refusal(objects) ?? { stdout: '', stderr: '', exitCode: 0 }
}

export function monitorNeighbours(
  objects: readonly string[],
  ctx: CommandContext,
  io: ProcessIo
): LiveProcess | CommandOutput {
  const refused = refusal(objects)
  if (refused) return refused
  const ns = ctx.lab.netns.get(ctx.target.netns)!
  const print = (ev: NeighEvent): void => {
    io.write('stdout', `${formatNeighEvent(ev, linkByIndex(ns, ev.neighbour.ifindex)?.name ?? '?')}\n`)
  }
  ns.netlink.neigh.add(print)
  return {
    // ip sets no handler: the signal ends it with the shell's 128+N status and no last words.
    signal: (sig) => {
      if (!ns.netlink.neigh.delete(print)) return
      io.exit(sig === 'INT' ? 130 : 143)
    }
  }
}
