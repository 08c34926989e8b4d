import { derivedUid, hex } from './api-objects.ts'
import type { Lab } from './lab.ts'
import type { KubeContainer, KubeEnvVar, KubeNode, KubePod, SystemPodSpec } from './objects.ts'

/** What one system pod sets itself; the rest comes from the node whose network it runs on. */
export interface HostNetworkPodSpec {
  name: string
  namespace: string
  /** Seeds the sandbox's and the container's ids, so they stay put across rebuilds. */
  key: string
  daemonSet?: string
  labels: Record<string, string>
  container: {
    name: string
    image: string
    command: string
    /** The manifest's `command` and `args`, when the lab shows them. */
    manifest?: { command: string[]; args?: string[] }
    env?: KubeEnvVar[]
    logs: string[]
    state?: KubeContainer['state']
    restartCount?: number
  }
  createdAt: number
  system: SystemPodSpec
}

/**
 * A system component's pod on its node's own network (hostNetwork): the node's address and
 * netns, a pause sandbox, and one root container, ready while that container runs.
 */
export function hostNetworkPod(lab: Lab, node: KubeNode, spec: HostNetworkPodSpec): KubePod {
  const { name, namespace, key, container } = spec
  const state = container.state ?? 'Running'
  return {
    name,
    namespace,
    node: node.name,
    uid: derivedUid(lab, 'Pod', `${namespace}/${name}`),
    ...(spec.daemonSet === undefined ? {} : { daemonSet: spec.daemonSet }),
    labels: spec.labels,
    ip: node.ip,
    netns: node.netns,
    netnsName: '',
    hostNetwork: true,
    shareProcessNamespace: false,
    sandboxId: hex(`${key}/sandbox`),
    shimPid: 0,
    pause: { pid: 1, hostPid: 0, user: '65535', command: '/pause', container: 'POD' },
    containers: [
      {
        name: container.name,
        image: container.image,
        app: 'sleep',
        id: hex(`${key}/${container.name}`),
        state,
        restartCount: container.restartCount ?? 0,
        logs: container.logs,
        process: { pid: 1, hostPid: 0, user: 'root', command: container.command, container: container.name },
        ...(container.manifest === undefined
          ? {}
          : {
              command: container.manifest.command,
              ...(container.manifest.args === undefined ? {} : { args: container.manifest.args })
            }),
        ...(container.env === undefined ? {} : { env: container.env })
      }
    ],
    createdAt: spec.createdAt,
    ready: state === 'Running',
    system: spec.system
  }
}
