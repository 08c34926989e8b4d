import type { NetworkPolicySpec } from '../scenario/scenario.schema.ts'
import type { KubeLabelSelector, KubeNetworkPolicy, KubeNetworkPolicyPeer, KubePod } from './objects.ts'

/** The object the apiserver stores for a spec: policyTypes defaulted as its defaulting does. */
export function networkPolicyFromSpec(spec: NetworkPolicySpec, createdAt: number): KubeNetworkPolicy {
  const policyTypes = spec.policyTypes ?? (spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress'])
  return {
    name: spec.name,
    namespace: spec.namespace,
    podSelector: spec.podSelector,
    policyTypes: [...policyTypes],
    ...(spec.ingress === undefined ? {} : { ingress: spec.ingress }),
    ...(spec.egress === undefined ? {} : { egress: spec.egress }),
    createdAt
  }
}

/** metav1.LabelSelectorAsSelector: every matchLabels pair and every expression must hold. */
export function selectorMatches(sel: KubeLabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key)
    const value = labels[e.key]
    const inValues = has && (e.values ?? []).includes(value!)
    const ok =
      e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : !has
    if (!ok) return false
  }
  return true
}

/**
 * The lab keeps no Namespace objects: a namespace carries only the label the apiserver gives
 * every namespace, `kubernetes.io/metadata.name`, which is what namespaceSelectors match.
 */
export function namespaceLabels(namespace: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': namespace }
}

/**
 * The pods a policy can select (hostNetwork pods never: they have no pod IP of their own), by
 * label pair: a selector's first matchLabels pair narrows the pods worth testing, which keeps a
 * sync of many policies over many pods from testing every pod against every selector.
 */
export class SelectablePods {
  readonly #all: KubePod[] = []
  readonly #byPair = new Map<string, KubePod[]>()

  constructor(pods: readonly KubePod[]) {
    for (const pod of pods) {
      if (pod.hostNetwork) continue
      this.#all.push(pod)
      for (const [k, v] of Object.entries(pod.labels)) {
        const list = this.#byPair.get(`${k}\0${v}`)
        if (list) list.push(pod)
        else this.#byPair.set(`${k}\0${v}`, [pod])
      }
    }
  }

  /** The pods that may match `sel`, in the lab's order. */
  candidates(sel: KubeLabelSelector | undefined): readonly KubePod[] {
    const first = sel?.matchLabels && Object.entries(sel.matchLabels)[0]
    return first ? (this.#byPair.get(`${first[0]}\0${first[1]}`) ?? []) : this.#all
  }
}

/** Pods a NetworkPolicy peer names (podSelector within the policy's namespace, or across namespaceSelector's). */
export function peerPods(
  pods: SelectablePods,
  policy: KubeNetworkPolicy,
  peer: KubeNetworkPolicyPeer
): KubePod[] {
  if (peer.namespaceSelector) {
    const nsSel = peer.namespaceSelector
    return pods
      .candidates(peer.podSelector)
      .filter(
        (p) =>
          selectorMatches(nsSel, namespaceLabels(p.namespace)) &&
          (peer.podSelector === undefined || selectorMatches(peer.podSelector, p.labels))
      )
  }
  if (peer.podSelector) {
    const sel = peer.podSelector
    return pods
      .candidates(sel)
      .filter((p) => p.namespace === policy.namespace && selectorMatches(sel, p.labels))
  }
  return []
}

/** The pods a policy applies to. */
export function targetPods(pods: SelectablePods, policy: KubeNetworkPolicy): KubePod[] {
  return pods
    .candidates(policy.podSelector)
    .filter((p) => p.namespace === policy.namespace && selectorMatches(policy.podSelector, p.labels))
}

/**
 * metav1.FormatLabelSelector: the requirements sorted by key, `<none>` for the empty selector
 * that selects every pod.
 */
export function formatLabelSelector(sel: KubeLabelSelector): string {
  const parts: [string, string][] = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => [k, `${k}=${v}`])
  for (const e of sel.matchExpressions ?? []) {
    const values = `(${[...(e.values ?? [])].sort().join(',')})`
    const text =
      e.operator === 'In'
        ? `${e.key} in ${values}`
        : e.operator === 'NotIn'
          ? `${e.key} notin ${values}`
          : e.operator === 'Exists'
            ? e.key
            : `!${e.key}`
    parts.push([e.key, text])
  }
  parts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return parts.length === 0 ? '<none>' : parts.map((p) => p[1]).join(',')
}
