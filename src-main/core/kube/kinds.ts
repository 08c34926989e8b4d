/**
 * The kinds a learner can send the lab's apiserver, and every name each goes by: the version a
 * manifest must carry, the `kind.group` kubectl prints in its result lines, the `resource.group`
 * the apiserver names in its errors, and the plural `kubectl get` lists it under. Manifests and
 * kubectl's write verbs both read this one table, so a new kind is added once.
 */

import type { KubeEndpointSlice } from './endpoint-slices.ts'
import type { Lab } from './lab.ts'
import type { KubeNetworkPolicy, KubePod, KubeService } from './objects.ts'
import type { KubeDeployment, KubeReplicaSet } from './workloads.ts'

export type ManifestKind =
  'Namespace' | 'Pod' | 'Service' | 'Deployment' | 'ReplicaSet' | 'EndpointSlice' | 'NetworkPolicy'

export interface KindNames {
  apiVersion: string
  /** How kubectl names an object in its result lines: `service/web`, `deployment.apps/web`. */
  prefix: string
  /** The apiserver's resource name in NotFound and AlreadyExists errors: `pods`, `deployments.apps`. */
  resource: string
  /** The resource `kubectl get` lists it under. */
  plural: string
}

export const KINDS: Record<ManifestKind, KindNames> = {
  Namespace: { apiVersion: 'v1', prefix: 'namespace', resource: 'namespaces', plural: 'namespaces' },
  Pod: { apiVersion: 'v1', prefix: 'pod', resource: 'pods', plural: 'pods' },
  Service: { apiVersion: 'v1', prefix: 'service', resource: 'services', plural: 'services' },
  Deployment: {
    apiVersion: 'apps/v1',
    prefix: 'deployment.apps',
    resource: 'deployments.apps',
    plural: 'deployments'
  },
  ReplicaSet: {
    apiVersion: 'apps/v1',
    prefix: 'replicaset.apps',
    resource: 'replicasets.apps',
    plural: 'replicasets'
  },
  EndpointSlice: {
    apiVersion: 'discovery.k8s.io/v1',
    prefix: 'endpointslice.discovery.k8s.io',
    resource: 'endpointslices.discovery.k8s.io',
    plural: 'endpointslices'
  },
  NetworkPolicy: {
    apiVersion: 'networking.k8s.io/v1',
    prefix: 'networkpolicy.networking.k8s.io',
    resource: 'networkpolicies.networking.k8s.io',
    plural: 'networkpolicies'
  }
}

export const isManifestKind = (kind: string): kind is ManifestKind => Object.hasOwn(KINDS, kind)

/** The kind `kubectl get` lists under `plural`, when a learner may write it. */
export function kindOfPlural(plural: string): ManifestKind | undefined {
  return (Object.keys(KINDS) as ManifestKind[]).find((k) => KINDS[k].plural === plural)
}

export type LiveObject =
  | { name: string; createdAt: number }
  | KubePod
  | KubeService
  | KubeDeployment
  | KubeReplicaSet
  | KubeEndpointSlice
  | KubeNetworkPolicy

type NamespacedKind = Exclude<ManifestKind, 'Namespace'>

/** Where the lab keeps the objects of each namespaced kind. */
const STORED: Record<NamespacedKind, (lab: Lab) => readonly (LiveObject & { namespace: string })[]> = {
  Pod: (lab) => lab.pods,
  Service: (lab) => lab.services,
  Deployment: (lab) => lab.deployments,
  ReplicaSet: (lab) => lab.replicaSets,
  EndpointSlice: (lab) => lab.endpointSlices,
  NetworkPolicy: (lab) => lab.networkPolicies
}

/** The stored object of a kind, by namespace (ignored for Namespaces) and name. */
export function findObject(
  lab: Lab,
  kind: ManifestKind,
  namespace: string,
  name: string
): LiveObject | undefined {
  if (kind === 'Namespace') return lab.namespaces.find((n) => n.name === name)
  return STORED[kind](lab).find((x) => x.namespace === namespace && x.name === name)
}
