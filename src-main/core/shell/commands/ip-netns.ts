/**
 * `ip netns add|del|list|exec` (iproute2 6.1): named network namespaces a learner makes by hand
 * on a node or host. Each host has its own /run/netns, so a name is visible only there.
 */
import type { CommandContext, CommandOutput, Target } from '../command.ts'
import { fail, ok } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { deleteLink } from '../../linux/link-ops.ts'
import { newNetns, type Netns } from '../../linux/netns.ts'
import { inheritModuleSysctls } from '../../linux/sysctl.ts'
import { newLoopback } from '../../kube/pod-sandbox.ts'
import { shellQuote } from '../quote.ts'
import { hostOfNetns } from './link-view.ts'

const bad = (msg: string, code = 1): CommandOutput => fail(`${msg}\n`, code)

/** do_netns's order: the first command a word begins is the one it means. */
const NETNS_VERBS = [
  'list',
  'show',
  'lst',
  'help',
  'add',
  'set',
  'delete',
  'identify',
  'pids',
  'exec',
  'monitor'
]

function hostOf(ctx: CommandContext): string {
  return hostOfNetns(ctx.lab as Lab, ctx.target.netns)
}

function namesOn(lab: Lab, host: string): Map<string, string> {
  let names = lab.netnsNames.get(host)
  if (!names) {
    names = new Map()
    lab.netnsNames.set(host, names)
  }
  return names
}

/** The namespace `name` opens on the caller's host, as `ip -n` and `ip netns exec` resolve it. */
export function namedNetns(ctx: CommandContext, name: string): Netns | undefined {
  const lab = ctx.lab as Lab
  const id = lab.netnsNames.get(hostOf(ctx))?.get(name)
  return id === undefined ? undefined : lab.netns.get(id)
}

/** A shell in `ns`, on the same host as the caller: what `ip netns exec` runs its command in. */
export function targetIn(ctx: CommandContext, ns: Netns): Target {
  const t = ctx.target
  return { ...t, name: ns.id, netns: ns.id }
}

/** Runs argv in `ns` as one command, quoted so the shell reads back the same words. */
export function execIn(ctx: CommandContext, ns: Netns, argv: readonly string[]): CommandOutput {
  const r = ctx.runOn(targetIn(ctx, ns), argv.map(shellQuote).join(' '), ctx.environment)
  // The shell's "command not found" is execvp's failure in ip's own words.
  if (r.exitCode === 127 && /not found\n$/.test(r.stderr))
    return bad(`exec of "${argv[0]!}" failed: No such file or directory`)
  return r
}

function list(ctx: CommandContext, ns: Netns): CommandOutput {
  const lab = ctx.lab as Lab
  // tmpfs lists /run/netns newest first.
  const names = [...(lab.netnsNames.get(hostOf(ctx)) ?? [])].reverse()
  const lines = names.map(([name, id]) => {
    const nsid = ns.peerNsids.get(id)
    return nsid === undefined ? name : `${name} (id: ${nsid})`
  })
  return ok(lines.map((l) => `${l}\n`).join(''))
}

function add(ctx: CommandContext, name: string): CommandOutput {
  const lab = ctx.lab as Lab
  const host = hostOf(ctx)
  const names = namesOn(lab, host)
  if (names.has(name)) return bad(`Cannot create namespace file "/run/netns/${name}": File exists`)
  const ns = newNetns(`${host}:${name}`, 'named')
  inheritModuleSysctls(ns, lab.netns.get(host)!)
  newLoopback(ns)
  // A new namespace's lo is down, with no qdisc yet, and gets 127.0.0.1 only when someone brings it up.
  ns.links[0]!.up = false
  ns.links[0]!.neverUp = true
  ns.addresses = []
  ns.routes = []
  lab.netns.set(ns.id, ns)
  names.set(name, ns.id)
  return ok('')
}

/**
 * Unmounting the last reference destroys the namespace: its veths take their peers along,
 * and other namespaces forget the nsid they had for it.
 */
function del(ctx: CommandContext, name: string): CommandOutput {
  const lab = ctx.lab as Lab
  const names = lab.netnsNames.get(hostOf(ctx))
  const id = names?.get(name)
  if (id === undefined)
    return bad(`Cannot remove namespace file "/run/netns/${name}": No such file or directory`)
  names!.delete(name)
  const ns = lab.netns.get(id)
  if (ns) for (const link of [...ns.links]) if (ns.links.includes(link)) deleteLink(lab.netns, ns, link)
  lab.netns.delete(id)
  for (const other of lab.netns.values()) other.peerNsids.delete(id)
  return ok('')
}

export function runNetns(ctx: CommandContext, ns: Netns, args: readonly string[]): CommandOutput {
  const word = args[0]
  const verb = word === undefined ? 'list' : NETNS_VERBS.find((v) => v.startsWith(word))
  if (verb === undefined) return bad(`Command "${word!}" is unknown, try "ip netns help".`, 255)
  const name = args[1]
  switch (verb) {
    case 'list':
    case 'show':
    case 'lst':
      return list(ctx, ns)
    case 'add':
    case 'delete':
    case 'exec': {
      if (name === undefined) return bad('No netns name specified')
      if (verb === 'exec') {
        const target = namedNetns(ctx, name)
        if (!target) return bad(`Cannot open network namespace "${name}": No such file or directory`, 255)
        if (args.length < 3) return bad('No command specified')
        return execIn(ctx, target, args.slice(2))
      }
      if (name.includes('/') || name === '.' || name === '..') return bad(`Invalid netns name "${name}"`, 255)
      return verb === 'add' ? add(ctx, name) : del(ctx, name)
    }
    default:
      return bad(
        `Podnet Lab does not simulate "ip netns ${verb}"; it simulates ip netns list, add, del, exec.`,
        255
      )
  }
}
