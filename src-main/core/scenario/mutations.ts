import type { BridgeLink } from '../linux/link.ts'
import { linkByName } from '../linux/netns.ts'
import { syncKubeProxy } from '../kube/kube-proxy.ts'
import type { Lab } from '../kube/lab.ts'
import type { KubePod } from '../kube/objects.ts'
import { createPod } from '../kube/pod-sandbox.ts'
import type { PodSpec } from './scenario.schema.ts'

function specOf(pod: KubePod, name = pod.name): PodSpec {
  return {
    name,
    namespace: pod.namespace,
    node: pod.node,
    labels: { ...pod.labels },
    shareProcessNamespace: pod.shareProcessNamespace,
    hostNetwork: pod.hostNetwork,
    containers: pod.containers.map((c) => ({ name: c.name, image: c.image, app: c.app, ...(c.port === undefined ? {} : { port: c.port }) }))
  }
}

/** CNI DEL + sandbox removal: the pod's netns and its host veth (and what cni0 learned through it) go away. */
function removePod(lab: Lab, pod: KubePod): void {
  lab.pods = lab.pods.filter((p) => p !== pod)
  if (pod.hostNetwork) return
  lab.netns.delete(pod.netns)
  const nodeNs = lab.netns.get(lab.nodes.find((n) => n.name === pod.node)!.netns)!
  const veth = pod.hostVeth === undefined ? undefined : linkByName(nodeNs, pod.hostVeth)
  if (!veth) return
  const br = linkByName(nodeNs, 'cni0') as BridgeLink | undefined
  if (br) br.fdb = br.fdb.filter((e) => e.port !== veth.ifindex)
  nodeNs.links = nodeNs.links.filter((l) => l !== veth)
  if (br) nodeNs.neighbours = nodeNs.neighbours.filter((n) => !(n.ifindex === br.ifindex && n.ip === pod.ip))
  for (const ns of lab.netns.values()) ns.peerNsids.delete(pod.netns)
}

export type PodMutationResult = { ok: true; pods: string[] } | { ok: false; message: string }

/**
 * `kubectl delete pod NAME`: the pod's controller replaces it (same name, as a StatefulSet
 * would, on the same node), host-local hands it the next free address, and kube-proxy resyncs,
 * so endpoints and rules follow the new IP.
 */
export function deletePod(lab: Lab, namespace: string, name: string): PodMutationResult {
  const pod = lab.pods.find((p) => p.namespace === namespace && p.name === name)
  if (!pod) return { ok: false, message: `Error from server (NotFound): pods "${name}" not found` }
  removePod(lab, pod)
  createPod(lab, specOf(pod))
  syncKubeProxy(lab)
  return { ok: true, pods: [name] }
}

/**
 * `kubectl scale --replicas=N` for the pods named `<base>-<i>`: new replicas copy the last
 * one and go to the node with the fewest pods (ties: node order); surplus ones are deleted
 * from the highest index down.
 */
export function scaleReplicas(lab: Lab, namespace: string, base: string, replicas: number): PodMutationResult {
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`)
  const members = lab.pods
    .filter((p) => p.namespace === namespace && pattern.test(p.name))
    .sort((a, b) => Number(pattern.exec(a.name)![1]) - Number(pattern.exec(b.name)![1]))
  if (members.length === 0) return { ok: false, message: `Error from server (NotFound): deployments.apps "${base}" not found` }
  const changed: string[] = []
  while (members.length > replicas) {
    const victim = members.pop()!
    removePod(lab, victim)
    changed.push(victim.name)
  }
  let next = Number(pattern.exec(members[members.length - 1]!.name)![1]) + 1
  while (members.length < replicas) {
    const template = members[members.length - 1]!
    const load = (node: string): number => lab.pods.filter((p) => p.node === node).length
    const node = [...lab.nodes].sort((a, b) => load(a.name) - load(b.name))[0]!
    const pod = createPod(lab, { ...specOf(template, `${base}-${next++}`), node: node.name })
    members.push(pod)
    changed.push(pod.name)
  }
  syncKubeProxy(lab)
  return { ok: true, pods: changed }
}
