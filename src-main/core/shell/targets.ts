/**
 * Names a learner (or `podnet exec --on`) can run commands on, and what the terminal offers
 * on Tab there.
 */

import type { CommandRegistry, CompletionData, Target } from './command.ts'
import type { Lab } from '../kube/lab.ts'
import type { KubePod } from '../kube/objects.ts'

/** A pod's target: its first app container, as `kubectl exec` without `-c` picks it. */
export function podTarget(pod: KubePod, container?: string): Target {
  const c = pod.containers.find((x) => x.name === container) ?? pod.containers[0]
  return {
    kind: container === undefined ? 'pod' : 'container',
    name: container === undefined ? pod.name : `${pod.name}/${container}`,
    node: pod.node,
    pod: pod.name,
    namespace: pod.namespace,
    ...(c === undefined ? {} : { container: c.name, image: c.image }),
    netns: pod.netns,
    // hostNetwork pods share the node's UTS namespace as well (kubelet sets UTS=NODE).
    hostname: pod.hostNetwork ? pod.node : pod.name
  }
}

/**
 * Resolve `node-1`, `web-1`, `web-1/app` or `laptop`. Pods are looked up in `default` first,
 * then in any namespace, so scenarios with one namespace never need a prefix.
 */
export function resolveTarget(lab: Lab, name: string): Target | undefined {
  const node = lab.nodes.find((n) => n.name === name)
  if (node) return { kind: 'node', name, node: name, netns: node.netns, hostname: name }
  const host = lab.externalHosts.find((h) => h.name === name)
  if (host) return { kind: 'external', name, netns: host.netns, hostname: name }
  const [podName = '', container, extra] = name.split('/')
  if (extra !== undefined) return undefined
  const pod = findPod(lab, podName)
  if (!pod) return undefined
  if (container === undefined) return podTarget(pod)
  return pod.containers.some((c) => c.name === container) ? podTarget(pod, container) : undefined
}

export function findPod(lab: Lab, name: string, namespace?: string): KubePod | undefined {
  if (namespace !== undefined) return lab.pods.find((p) => p.name === name && p.namespace === namespace)
  return (
    lab.pods.find((p) => p.name === name && p.namespace === 'default') ??
    lab.pods.find((p) => p.name === name)
  )
}

/** Every name `resolveTarget` accepts, in scenario order (for menus and error hints). */
export function targetNames(lab: Lab): string[] {
  return [
    ...lab.nodes.map((n) => n.name),
    ...lab.pods.flatMap((p) => [p.name, ...p.containers.map((c) => `${p.name}/${c.name}`)]),
    ...lab.externalHosts.map((h) => h.name)
  ]
}

export function completionData(lab: Lab, registry: CommandRegistry, target: Target): CompletionData {
  const commands = registry.list(target)
  const subcommands: Record<string, readonly string[]> = {}
  for (const c of commands) if (c.subcommands) subcommands[c.name] = c.subcommands
  return {
    commands: commands.map((c) => c.name),
    subcommands,
    devices: lab.netns.get(target.netns)?.links.map((l) => l.name) ?? [],
    pods: lab.pods.map((p) => p.name),
    nodes: lab.nodes.map((n) => n.name),
    services: lab.services.map((s) => s.name)
  }
}
