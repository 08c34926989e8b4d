import { randomInt } from '../net/rng.ts'
import type { Lab } from './lab.ts'
import type { KubePod } from './objects.ts'
import { createPod, removePodSandbox, type SandboxContainerSpec, type SandboxPodSpec } from './pod-sandbox.ts'

/**
 * Deployments and ReplicaSets as their controllers keep them: a Deployment owns one ReplicaSet
 * per pod template (named after the template's hash), and a ReplicaSet keeps as many pods
 * matching its selector as it is told to, creating `<rs>-<5 chars>` pods and deleting surplus
 * ones. The controllers here act at once, as they do within a second on a real cluster; what
 * they did is left behind as events, which is how a learner sees the chain on a real one.
 */

export interface PodTemplate {
  labels: Record<string, string>
  containers: SandboxContainerSpec[]
  /**
   * A preferred pod anti-affinity on the pods' own labels per node (kubeadm's CoreDNS has one):
   * each new pod goes to the node running fewest of its ReplicaSet's pods, ties in node order.
   */
  spreadOverNodes?: true
}

export interface KubeDeployment {
  name: string
  namespace: string
  replicas: number
  selector: Record<string, string>
  template: PodTemplate
  createdAt: number
  /** metadata.generation: bumped by every spec change, as the apiserver does. */
  generation: number
  /**
   * The pod-template-hash of the real template, when the lab's template abridges one whose
   * hash every cluster shares (kubeadm's CoreDNS); else it is worked out from the template.
   */
  templateHash?: string
}

export interface KubeReplicaSet {
  name: string
  namespace: string
  /** The Deployment that owns it; absent for a ReplicaSet created on its own. */
  deployment?: string
  replicas: number
  /** Includes `pod-template-hash` when a Deployment made it. */
  selector: Record<string, string>
  template: PodTemplate
  createdAt: number
  /** The Deployment revision it carries (`deployment.kubernetes.io/revision`). */
  revision: number
}

export interface KubeEvent {
  namespace: string
  /** Lowercase kind as `kubectl get events` prints it: `pod`, `replicaset`, `deployment`. */
  kind: string
  object: string
  type: 'Normal' | 'Warning'
  reason: string
  message: string
  /** The component that reported it, as `describe` shows under From. */
  source: string
  firstAt: number
  lastAt: number
  count: number
}

/** The apiserver's name alphabet (k8s.io/apimachinery/pkg/util/rand): no vowels, no 0, 1, 3. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789'

/** FNV-1a 32, the hash the Deployment controller feeds the template to. */
function fnv32a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/**
 * `pod-template-hash`: the template's FNV-1a hash printed in decimal, each digit mapped through
 * rand.SafeEncodeString, so a change to the template gives a new ReplicaSet name.
 */
function podTemplateHash(template: PodTemplate): string {
  const digits = String(fnv32a(JSON.stringify(template)))
  return Array.from(digits, (d) => ALPHANUMS[d.charCodeAt(0) % ALPHANUMS.length]).join('')
}

function recordEvent(lab: Lab, e: Omit<KubeEvent, 'firstAt' | 'lastAt' | 'count'>): void {
  const same = lab.events.find(
    (x) =>
      x.namespace === e.namespace &&
      x.kind === e.kind &&
      x.object === e.object &&
      x.reason === e.reason &&
      x.message === e.message
  )
  if (same) {
    same.count++
    same.lastAt = lab.clock.nowMs
  } else lab.events.push({ ...e, firstAt: lab.clock.nowMs, lastAt: lab.clock.nowMs, count: 1 })
}

const matchesSelector = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v)

/** The scheduler's choice, simplified: the node with the fewest pods, ties in node order. */
function leastLoadedNode(lab: Lab): string {
  const load = new Map(lab.nodes.map((n) => [n.name, 0]))
  for (const p of lab.pods) load.set(p.node, (load.get(p.node) ?? 0) + 1)
  let best = lab.nodes[0]!.name
  for (const n of lab.nodes) if (load.get(n.name)! < load.get(best)!) best = n.name
  return best
}

function generatedName(lab: Lab, prefix: string): string {
  for (;;) {
    let suffix = ''
    for (let i = 0; i < 5; i++) suffix += ALPHANUMS[randomInt(lab.rng, 0, ALPHANUMS.length - 1)]
    const name = `${prefix}-${suffix}`
    if (!lab.netns.has(name) && !lab.pods.some((p) => p.name === name)) return name
  }
}

/** Scheduler and kubelet events for a pod that has just started. */
function podStartEvents(lab: Lab, pod: KubePod): void {
  const at = { namespace: pod.namespace, kind: 'pod', object: pod.name }
  recordEvent(lab, {
    ...at,
    type: 'Normal',
    reason: 'Scheduled',
    message: `Successfully assigned ${pod.namespace}/${pod.name} to ${pod.node}`,
    source: 'default-scheduler'
  })
  for (const c of pod.containers) {
    const kubelet = { ...at, type: 'Normal', source: 'kubelet' } as const
    recordEvent(lab, {
      ...kubelet,
      reason: 'Pulled',
      message: `Container image "${c.image}" already present on machine`
    })
    recordEvent(lab, { ...kubelet, reason: 'Created', message: `Created container ${c.name}` })
    recordEvent(lab, { ...kubelet, reason: 'Started', message: `Started container ${c.name}` })
  }
}

/** A pod deleted through the API: the kubelet stops its containers, CNI DEL frees its address. */
export function deletePodObject(lab: Lab, pod: KubePod): void {
  for (const c of pod.containers)
    recordEvent(lab, {
      namespace: pod.namespace,
      kind: 'pod',
      object: pod.name,
      type: 'Normal',
      reason: 'Killing',
      message: `Stopping container ${c.name}`,
      source: 'kubelet'
    })
  removePodSandbox(lab, pod)
}

/** The node the anti-affinity prefers: the one running fewest of `siblings`, ties in node order. */
function leastCrowdedNode(lab: Lab, siblings: readonly KubePod[]): string {
  const load = (node: string): number => siblings.filter((p) => p.node === node).length
  let best = lab.nodes[0]!.name
  for (const n of lab.nodes) if (load(n.name) < load(best)) best = n.name
  return best
}

/** Creates a pod the API was asked for (a manifest, a controller), scheduling it when it names no node. */
export function startPod(lab: Lab, spec: Omit<SandboxPodSpec, 'node'> & { node?: string }): KubePod {
  const pod = createPod(lab, { ...spec, node: spec.node ?? leastLoadedNode(lab) })
  podStartEvents(lab, pod)
  return pod
}

function rsEvent(lab: Lab, rs: KubeReplicaSet, reason: string, message: string): void {
  recordEvent(lab, {
    namespace: rs.namespace,
    kind: 'replicaset',
    object: rs.name,
    type: 'Normal',
    reason,
    message,
    source: 'replicaset-controller'
  })
}

function deploymentEvent(lab: Lab, d: KubeDeployment, message: string): void {
  recordEvent(lab, {
    namespace: d.namespace,
    kind: 'deployment',
    object: d.name,
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    message,
    source: 'deployment-controller'
  })
}

export const podsOf = (lab: Lab, rs: KubeReplicaSet): KubePod[] =>
  lab.pods.filter((p) => p.namespace === rs.namespace && p.owner === rs.name)

/**
 * One ReplicaSet's sync: release owned pods its selector no longer matches (a relabelled pod
 * becomes an orphan), adopt orphans it matches, then create or delete pods until it has
 * `replicas`. Surplus pods go newest first, as the controller ranks equally ready pods.
 */
function syncReplicaSet(lab: Lab, rs: KubeReplicaSet): void {
  for (const p of lab.pods) {
    if (p.namespace !== rs.namespace) continue
    const matches = matchesSelector(rs.selector, p.labels)
    if (p.owner === rs.name && !matches) delete p.owner
    else if (p.owner === undefined && matches && !p.hostNetwork) p.owner = rs.name
  }
  const owned = podsOf(lab, rs)
  // Without a CNI no sandbox can start: a real cluster shows the pods Pending, with no address.
  const canStart = lab.scenario.cluster.cni.backend !== 'none'
  while (owned.length > rs.replicas) {
    const victim = owned.pop()!
    deletePodObject(lab, victim)
    rsEvent(lab, rs, 'SuccessfulDelete', `Deleted pod: ${victim.name}`)
  }
  while (canStart && owned.length < rs.replicas) {
    const name = generatedName(lab, rs.name)
    const pod = startPod(lab, {
      name,
      namespace: rs.namespace,
      ...(rs.template.spreadOverNodes ? { node: leastCrowdedNode(lab, owned) } : {}),
      labels: { ...rs.template.labels },
      shareProcessNamespace: false,
      hostNetwork: false,
      containers: rs.template.containers.map((c) => ({ ...c }))
    })
    pod.owner = rs.name
    owned.push(pod)
    rsEvent(lab, rs, 'SuccessfulCreate', `Created pod: ${pod.name}`)
  }
}

/**
 * One Deployment's sync: the ReplicaSet for its current template gets every replica (a new one
 * is made when the template changed, the old ones scaled to zero: a rollout with no surge
 * limits, which finishes at once here).
 */
function syncDeployment(lab: Lab, d: KubeDeployment): void {
  const hash = d.templateHash ?? podTemplateHash(d.template)
  const name = `${d.name}-${hash}`
  const owned = lab.replicaSets.filter((rs) => rs.namespace === d.namespace && rs.deployment === d.name)
  let current = owned.find((rs) => rs.name === name)
  if (!current) {
    current = {
      name,
      namespace: d.namespace,
      deployment: d.name,
      replicas: d.replicas,
      selector: { ...d.selector, 'pod-template-hash': hash },
      template: {
        labels: { ...d.template.labels, 'pod-template-hash': hash },
        containers: d.template.containers,
        ...(d.template.spreadOverNodes ? { spreadOverNodes: true as const } : {})
      },
      createdAt: lab.clock.nowMs,
      revision: Math.max(0, ...owned.map((rs) => rs.revision)) + 1
    }
    lab.replicaSets.push(current)
    deploymentEvent(lab, d, `Scaled up replica set ${name} to ${d.replicas}`)
  } else if (current.replicas !== d.replicas) {
    const verb = d.replicas > current.replicas ? 'up' : 'down'
    deploymentEvent(lab, d, `Scaled ${verb} replica set ${name} to ${d.replicas} from ${current.replicas}`)
    current.replicas = d.replicas
  }
  for (const old of owned) {
    if (old === current || old.replicas === 0) continue
    deploymentEvent(lab, d, `Scaled down replica set ${old.name} to 0 from ${old.replicas}`)
    old.replicas = 0
  }
}

/** Every workload controller, once: Deployments first, so the ReplicaSets they changed then act. */
export function syncWorkloads(lab: Lab): void {
  for (const d of lab.deployments) syncDeployment(lab, d)
  for (const rs of lab.replicaSets) syncReplicaSet(lab, rs)
}

/** The garbage collector's cascade: a Deployment's ReplicaSets and their pods go with it. */
export function deleteDeployment(lab: Lab, d: KubeDeployment): void {
  lab.deployments = lab.deployments.filter((x) => x !== d)
  for (const rs of lab.replicaSets.filter((x) => x.namespace === d.namespace && x.deployment === d.name))
    deleteReplicaSet(lab, rs)
}

export function deleteReplicaSet(lab: Lab, rs: KubeReplicaSet): void {
  lab.replicaSets = lab.replicaSets.filter((x) => x !== rs)
  for (const p of podsOf(lab, rs)) deletePodObject(lab, p)
}
