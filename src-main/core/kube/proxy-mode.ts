import type { Scenario } from '../scenario/scenario.schema.ts'
import type { Lab } from './lab.ts'

export type ProxyMode = Scenario['cluster']['kubeProxy']['mode']

/** The mode a node's kube-proxy programs Services in: the node's own when set, else the cluster's. */
export function proxyModeOf(lab: Lab, node: { name: string }): ProxyMode {
  const spec = lab.scenario.nodes.find((n) => n.name === node.name)
  return spec?.kubeProxyMode ?? lab.scenario.cluster.kubeProxy.mode
}

/** What enforces NetworkPolicy for the pods on a node: the node's own setting, else the cluster's. */
export function policyControllerOf(lab: Lab, node: { name: string }): Scenario['cluster']['networkPolicy'] {
  const spec = lab.scenario.nodes.find((n) => n.name === node.name)
  return spec?.networkPolicy ?? lab.scenario.cluster.networkPolicy
}
