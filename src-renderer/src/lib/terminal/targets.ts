import type { Topology } from '../state/lab-workspace.ts'

/** Somewhere a shell runs: a node, a pod, one container of a pod with sidecars, an external host. */
export interface TerminalTarget {
  name: string
  kind: 'node' | 'pod' | 'container' | 'host'
  prompt: string
}

/** The lab's shells in the order the tabs list them: nodes, pods (and their containers), external hosts. */
export function terminalTargets(topology: Topology | null): TerminalTarget[] {
  if (!topology) return []
  const list: TerminalTarget[] = []
  for (const node of topology.nodes) {
    list.push({ name: node.name, kind: 'node', prompt: `root@${node.name}:~# ` })
  }
  for (const pod of topology.nodes.flatMap((n) => n.pods)) {
    // `kubectl exec` without `-c` opens the first container's shell.
    const first = pod.containers[0]
    if (first) list.push({ name: pod.name, kind: 'pod', prompt: first.prompt })
    // A pod with one container is the same shell as its container; only sidecars earn their own tab.
    if (pod.containers.length > 1) {
      for (const c of pod.containers)
        list.push({ name: `${pod.name}/${c.name}`, kind: 'container', prompt: c.prompt })
    }
  }
  for (const host of topology.externalHosts) {
    list.push({ name: host.name, kind: 'host', prompt: `root@${host.name}:~# ` })
  }
  return list
}

/** The shell a lab opens on: the first pod's, else the first target's. */
export function defaultTarget(targets: readonly TerminalTarget[]): string {
  return (targets.find((t) => t.kind === 'pod') ?? targets[0])?.name ?? ''
}

/** The DOM id of a terminal's tab (ids cannot hold the `/` of `pod/container`). */
export function terminalTabId(key: string): string {
  return `terminal-tab-${key.replace('/', '-').replace('#', '-')}`
}

/**
 * A terminal's key: its target's name for the target's first terminal (the target's own tab),
 * `name#n` for the n-th one opened beside it (`#` is never part of a Kubernetes name).
 */
export function terminalKey(target: string, n = 1): string {
  return n === 1 ? target : `${target}#${n}`
}

/** The target a terminal's key runs on. */
export function targetOfKey(key: string): string {
  const mark = key.indexOf('#')
  return mark < 0 ? key : key.slice(0, mark)
}

/** The number of a terminal on its target (1 for the target's own tab). */
export function terminalNumber(key: string): number {
  const mark = key.indexOf('#')
  return mark < 0 ? 1 : Number(key.slice(mark + 1))
}
