import { envObject, metadata, tolerationObject, type ApiObject } from './api-objects.ts'
import {
  FLANNEL_DS,
  FLANNEL_IMAGE,
  FLANNEL_NAMESPACE,
  FLANNEL_REQUESTS,
  FLANNEL_SELECTOR,
  FLANNEL_TOLERATIONS,
  flannelEnv,
  flannelPods
} from './flannel-pods.ts'
import {
  KUBE_PROXY_DS,
  KUBE_PROXY_NAMESPACE,
  KUBE_PROXY_NODE_SELECTOR,
  KUBE_PROXY_SELECTOR,
  KUBE_PROXY_TOLERATIONS,
  kubeProxyImage,
  kubeProxyPods
} from './kube-proxy-pods.ts'
import type { Lab } from './lab.ts'
import type { KubeEnvVar, KubePod, KubeToleration } from './objects.ts'
import { staticPods } from './static-pods.ts'

/** A DaemonSet the cluster's installer put there, with the pods it runs now. */
export interface KubeDaemonSet {
  name: string
  namespace: string
  labels: Record<string, string>
  selector: Record<string, string>
  nodeSelector: Record<string, string>
  /** The pod template's own tolerations, before the controller adds its own to each pod. */
  tolerations: KubeToleration[]
  serviceAccount: string
  container: { name: string; image: string; requests: Record<string, string>; env: KubeEnvVar[] }
  generation: number
  pods: KubePod[]
  createdAt: number
}

/**
 * Every pod the cluster's installer runs, newest first: flanneld's and kube-proxy's, one per
 * node each, then the control plane's static pods that came up before them.
 */
export const systemPods = (lab: Lab): KubePod[] => [
  ...flannelPods(lab),
  ...kubeProxyPods(lab),
  ...staticPods(lab)
]

/**
 * kubeadm's kube-proxy DaemonSet (scheduled on Linux nodes by its nodeSelector) and
 * kube-flannel.yml's, which says the same with a node affinity instead, so it has no
 * nodeSelector. Only those with pods exist: none on k3s, no flannel's without flannel.
 */
export function daemonSets(lab: Lab): KubeDaemonSet[] {
  const flannel = flannelPods(lab)
  const proxy = kubeProxyPods(lab)
  return [
    ...(flannel.length === 0
      ? []
      : [
          {
            name: FLANNEL_DS,
            namespace: FLANNEL_NAMESPACE,
            labels: { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' },
            selector: { ...FLANNEL_SELECTOR },
            nodeSelector: {},
            tolerations: [...FLANNEL_TOLERATIONS],
            serviceAccount: 'flannel',
            container: {
              name: 'kube-flannel',
              image: FLANNEL_IMAGE,
              requests: { ...FLANNEL_REQUESTS },
              env: flannelEnv(lab)
            },
            generation: lab.flannelDs?.generation ?? 1,
            pods: flannel,
            createdAt: 0
          }
        ]),
    ...(proxy.length === 0
      ? []
      : [
          {
            name: KUBE_PROXY_DS,
            namespace: KUBE_PROXY_NAMESPACE,
            labels: { ...KUBE_PROXY_SELECTOR },
            selector: { ...KUBE_PROXY_SELECTOR },
            nodeSelector: { ...KUBE_PROXY_NODE_SELECTOR },
            tolerations: [...KUBE_PROXY_TOLERATIONS],
            serviceAccount: 'kube-proxy',
            container: { name: 'kube-proxy', image: kubeProxyImage(lab), requests: {}, env: [] },
            generation: 1,
            pods: proxy,
            createdAt: 0
          }
        ])
  ]
}

/** The counts `kubectl get ds` prints, from the DaemonSet's status. */
export function daemonSetStatus(ds: KubeDaemonSet): {
  desired: number
  current: number
  ready: number
  updated: number
  available: number
} {
  const ready = ds.pods.filter((p) => p.ready).length
  return {
    desired: ds.pods.length,
    current: ds.pods.length,
    ready,
    updated: ds.pods.length,
    available: ready
  }
}

export function daemonSetObject(lab: Lab, ds: KubeDaemonSet): ApiObject {
  const st = daemonSetStatus(ds)
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: metadata(lab, 'DaemonSet', ds, {
      annotations: { 'deprecated.daemonset.template.generation': String(ds.generation) },
      generation: ds.generation,
      labels: { ...ds.labels }
    }),
    spec: {
      revisionHistoryLimit: 10,
      selector: { matchLabels: { ...ds.selector } },
      template: {
        metadata: { labels: { ...ds.labels, ...ds.selector } },
        spec: {
          containers: [
            {
              ...(ds.container.env.length === 0 ? {} : { env: ds.container.env.map(envObject) }),
              image: ds.container.image,
              imagePullPolicy: 'IfNotPresent',
              name: ds.container.name,
              resources:
                Object.keys(ds.container.requests).length === 0
                  ? {}
                  : { requests: { ...ds.container.requests } }
            }
          ],
          hostNetwork: true,
          ...(Object.keys(ds.nodeSelector).length === 0 ? {} : { nodeSelector: { ...ds.nodeSelector } }),
          priorityClassName: 'system-node-critical',
          restartPolicy: 'Always',
          serviceAccountName: ds.serviceAccount,
          tolerations: ds.tolerations.map(tolerationObject)
        }
      },
      updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' }
    },
    status: {
      currentNumberScheduled: st.current,
      desiredNumberScheduled: st.desired,
      numberAvailable: st.available,
      numberMisscheduled: 0,
      numberReady: st.ready,
      ...(st.desired > st.available ? { numberUnavailable: st.desired - st.available } : {}),
      observedGeneration: ds.generation,
      updatedNumberScheduled: st.updated
    }
  }
}
