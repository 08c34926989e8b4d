/**
 * The lab's Kubernetes objects as the apiserver returns them (`kubectl get -o json|yaml`):
 * apiVersion, kind, metadata, spec and status with the defaults the apiserver fills in. Ids and
 * resourceVersions the lab does not keep are derived from the seed and the object's name, so the
 * same scenario always prints the same objects.
 */

import { formatIpv4 } from '../net/ipv4.ts'
import { sha256 } from '../net/sha256.ts'
import type { Lab } from './lab.ts'
import {
  STICKY_MAX_AGE_SECONDS,
  type KubeContainer,
  type KubeEnvVar,
  type KubeInitContainer,
  type KubeNetworkPolicy,
  type KubeNode,
  type KubePod,
  type KubeService,
  type KubeToleration,
  type KubeVolume,
  type KubeVolumeMount
} from './objects.ts'
import type { KubeEndpointSlice } from './endpoint-slices.ts'
import { endpointsOf } from './endpoints.ts'
import { flannelNodeAnnotations } from './flannel.ts'
import { qosClass } from './system-pod-spec.ts'

export type ApiValue = string | number | boolean | null | ApiValue[] | { [key: string]: ApiValue }
export type ApiObject = { [key: string]: ApiValue }

/** A SHA-256 in hex: stable 64-character ids for containers, sandboxes and digests. */
export function hex(text: string): string {
  return Array.from(sha256(text), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** containerd lists a container's image by its config digest; derive a stable one per image. */
export const imageDigest = (image: string): string => hex(image)

/** A version-4 UUID stable per (seed, kind, namespace/name). */
export function derivedUid(lab: Lab, kind: string, key: string): string {
  const h = hex(`${lab.scenario.cluster.seed}/${kind}/${key}`).split('')
  h[12] = '4'
  h[16] = ((parseInt(h[16]!, 16) & 3) | 8).toString(16)
  const s = h.join('')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`
}

function resourceVersion(lab: Lab, kind: string, key: string, createdAt: number): string {
  const [a = 0, b = 0] = sha256(`${lab.scenario.cluster.seed}/rv/${kind}/${key}`)
  return String(400 + Math.floor(createdAt / 1000) * 7 + (((a << 8) | b) % 997))
}

/** RFC 3339 in seconds, as metav1.Time marshals. */
export function apiTime(lab: Lab, at: number): string {
  return new Date(lab.clock.epochMs + at).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Five characters of the apiserver's random-name alphabet, stable per key. */
export function randomSuffix(key: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  return Array.from(sha256(key).slice(0, 5), (b) => alphabet[b % alphabet.length]).join('')
}

/** A controller's reference to what it owns, as the garbage collector follows it. */
export function ownerReference(lab: Lab, kind: string, namespace: string, name: string): ApiObject {
  return {
    apiVersion: 'apps/v1',
    blockOwnerDeletion: true,
    controller: true,
    kind,
    name,
    uid: derivedUid(lab, kind, `${namespace}/${name}`)
  }
}

export function metadata(
  lab: Lab,
  kind: string,
  o: { name: string; namespace?: string; createdAt: number; uid?: string },
  extra: ApiObject = {}
): ApiObject {
  const key = `${o.namespace ?? ''}/${o.name}`
  return {
    ...extra,
    creationTimestamp: apiTime(lab, o.createdAt),
    name: o.name,
    ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
    resourceVersion: resourceVersion(lab, kind, key, o.createdAt),
    uid: o.uid ?? derivedUid(lab, kind, key)
  }
}

/** An image reference with its registry: Docker Hub's unless its first component names a host. */
const registryQualified = (image: string): string =>
  /^[^/]*[.:][^/]*\//.test(image) || image.startsWith('localhost/') ? image : `docker.io/${image}`

/** The image ID containerd reports: the repository with its registry, then the config digest. */
export const imageId = (image: string): string =>
  `${registryQualified(image).replace(/:[^/]+$/, '')}@sha256:${imageDigest(image)}`

/** The apiserver puts `:latest` (or no tag) images on pull policy Always, tagged ones IfNotPresent. */
const pullPolicy = (image: string): string =>
  /:[^/]+$/.test(image) && !image.endsWith(':latest') ? 'IfNotPresent' : 'Always'

/**
 * A container port's hostPort as the apiserver stores it: the one asked for, and on a
 * hostNetwork pod the containerPort when none was (SetDefaults_Pod, for Pods only since 1.28).
 */
export function hostPortOf(pod: KubePod, c: KubeContainer): number | undefined {
  return c.hostPort ?? (pod.hostNetwork ? c.port : undefined)
}

export const tolerationObject = (t: KubeToleration): ApiObject => ({
  ...(t.effect === undefined ? {} : { effect: t.effect }),
  ...(t.key === undefined ? {} : { key: t.key }),
  operator: t.operator
})

function requestsOf(pod: KubePod, container: string): ApiObject {
  const requests = pod.system?.requests[container]
  return requests === undefined ? {} : { requests: { ...requests } }
}

/** A pod's owner: its ReplicaSet, its DaemonSet, or for a static pod's mirror the Node. */
function podOwnership(lab: Lab, pod: KubePod): ApiObject {
  if (pod.owner !== undefined)
    return {
      generateName: `${pod.owner}-`,
      ownerReferences: [ownerReference(lab, 'ReplicaSet', pod.namespace, pod.owner)]
    }
  if (pod.daemonSet !== undefined)
    return {
      generateName: `${pod.daemonSet}-`,
      ownerReferences: [ownerReference(lab, 'DaemonSet', pod.namespace, pod.daemonSet)]
    }
  const node = pod.system?.staticOn
  if (node !== undefined)
    return {
      ownerReferences: [
        {
          apiVersion: 'v1',
          controller: true,
          kind: 'Node',
          name: node,
          uid: derivedUid(lab, 'Node', `/${node}`)
        }
      ]
    }
  return {}
}

const mountObject = (m: KubeVolumeMount): ApiObject => ({
  mountPath: m.mountPath,
  name: m.name,
  ...(m.readOnly ? { readOnly: true } : {})
})

/** A volume as the apiserver stores it: a ConfigMap's files get mode 0644 (420) by default. */
const volumeObject = (v: KubeVolume): ApiObject =>
  'hostPath' in v
    ? { hostPath: { path: v.hostPath.path, type: v.hostPath.type }, name: v.name }
    : { configMap: { defaultMode: 420, name: v.configMap }, name: v.name }

/** An init container's status once it ran to completion. */
function initStatusObject(lab: Lab, c: KubeInitContainer): ApiObject {
  const at = apiTime(lab, c.startedAt)
  return {
    containerID: `containerd://${c.id}`,
    image: registryQualified(c.image),
    imageID: imageId(c.image),
    lastState: {},
    name: c.name,
    ready: true,
    restartCount: 0,
    started: false,
    state: {
      terminated: {
        containerID: `containerd://${c.id}`,
        exitCode: 0,
        finishedAt: at,
        reason: 'Completed',
        startedAt: at
      }
    }
  }
}

export function podObject(lab: Lab, pod: KubePod): ApiObject {
  const system = pod.system
  const isStatic = system?.staticOn !== undefined
  const serviceAccount = isStatic ? undefined : (system?.serviceAccount ?? 'default')
  const node = lab.nodes.find((n) => n.name === pod.node)
  const hostIP = node ? formatIpv4(node.ip) : ''
  const podIP = formatIpv4(pod.ip)
  const started = apiTime(lab, pod.createdAt)
  const tokenVolume = `kube-api-access-${randomSuffix(`${pod.namespace}/${pod.name}/token`)}`
  // A fresh object for each container: a shared one would print as a YAML alias.
  const tokenMount = (): ApiObject =>
    mountObject({
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      name: tokenVolume,
      readOnly: true
    })
  const condition = (type: string, status: boolean): ApiObject => ({
    lastProbeTime: null,
    lastTransitionTime: started,
    status: status ? 'True' : 'False',
    type
  })
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(lab, 'Pod', pod, {
      ...(system === undefined || Object.keys(system.annotations).length === 0
        ? {}
        : { annotations: { ...system.annotations } }),
      ...podOwnership(lab, pod),
      labels: { ...pod.labels }
    }),
    spec: {
      containers: pod.containers.map((c) => ({
        ...(c.args === undefined ? {} : { args: [...c.args] }),
        ...(c.command === undefined ? {} : { command: [...c.command] }),
        ...(c.env === undefined ? {} : { env: c.env.map(envObject) }),
        image: c.image,
        imagePullPolicy: pullPolicy(c.image),
        name: c.name,
        ...(c.port === undefined
          ? {}
          : {
              ports: [
                {
                  containerPort: c.port,
                  ...(hostPortOf(pod, c) === undefined ? {} : { hostPort: hostPortOf(pod, c) }),
                  ...(c.portName === undefined ? {} : { name: c.portName }),
                  protocol: 'TCP'
                }
              ]
            }),
        resources: requestsOf(pod, c.name),
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        ...(isStatic
          ? {
              volumeMounts: (system?.hostPaths ?? []).map((h) => ({
                mountPath: h.path,
                name: h.name,
                ...(h.readOnly ? { readOnly: true } : {})
              }))
            }
          : {
              volumeMounts: [...(system?.mounts?.[c.name] ?? []).map(mountObject), tokenMount()]
            })
      })),
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      ...(pod.hostNetwork ? { hostNetwork: true } : {}),
      ...(pod.initContainers === undefined
        ? {}
        : {
            initContainers: pod.initContainers.map((c) => ({
              args: [...c.args],
              command: [...c.command],
              image: c.image,
              imagePullPolicy: pullPolicy(c.image),
              name: c.name,
              resources: {},
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              volumeMounts: [...c.mounts.map(mountObject), tokenMount()]
            }))
          }),
      nodeName: pod.node,
      ...(system === undefined || Object.keys(system.nodeSelector).length === 0
        ? {}
        : { nodeSelector: { ...system.nodeSelector } }),
      preemptionPolicy: 'PreemptLowerPriority',
      priority: system?.priority ?? 0,
      ...(system === undefined ? {} : { priorityClassName: system.priorityClassName }),
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: isStatic ? { seccompProfile: { type: 'RuntimeDefault' } } : {},
      ...(serviceAccount === undefined ? {} : { serviceAccount, serviceAccountName: serviceAccount }),
      ...(pod.shareProcessNamespace ? { shareProcessNamespace: true } : {}),
      terminationGracePeriodSeconds: 30,
      tolerations:
        system === undefined
          ? ['not-ready', 'unreachable'].map((t) => ({
              effect: 'NoExecute',
              key: `node.kubernetes.io/${t}`,
              operator: 'Exists',
              tolerationSeconds: 300
            }))
          : system.tolerations.map(tolerationObject),
      volumes: isStatic
        ? (system?.hostPaths ?? []).map((h) => ({ hostPath: { path: h.path, type: h.type }, name: h.name }))
        : [
            ...(system?.volumes ?? []).map(volumeObject),
            {
              name: tokenVolume,
              projected: {
                defaultMode: 420,
                sources: [
                  { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
                  { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
                  {
                    downwardAPI: {
                      items: [
                        { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }
                      ]
                    }
                  }
                ]
              }
            }
          ]
    },
    status: {
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', true),
        condition('Ready', pod.ready),
        condition('ContainersReady', pod.ready),
        condition('PodScheduled', true)
      ],
      containerStatuses: [...pod.containers]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((c) => ({
          containerID: `containerd://${c.id}`,
          image: c.image.includes(':') ? registryQualified(c.image) : `${registryQualified(c.image)}:latest`,
          imageID: imageId(c.image),
          lastState: {},
          name: c.name,
          ready: c.state === 'Running',
          restartCount: c.restartCount,
          started: c.state === 'Running',
          state: (c.state === 'Running'
            ? { running: { startedAt: started } }
            : {
                waiting: {
                  message: `back-off 5m0s restarting failed container=${c.name} pod=${pod.name}_${pod.namespace}(${pod.uid})`,
                  reason: 'CrashLoopBackOff'
                }
              }) as ApiObject
        })),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      ...(pod.initContainers === undefined
        ? {}
        : { initContainerStatuses: pod.initContainers.map((c) => initStatusObject(lab, c)) }),
      phase: 'Running',
      podIP,
      podIPs: [{ ip: podIP }],
      qosClass: qosClass(pod),
      startTime: started
    }
  }
}

/** A Service's clusterIP as the API shows it: `None` for a headless one. */
export const clusterIpText = (svc: KubeService): string => (svc.headless ? 'None' : formatIpv4(svc.clusterIP))

/** The labels the apiserver gives the Service it keeps for itself. */
export function serviceLabels(svc: KubeService): Record<string, string> {
  return svc.fixedEndpoints ? { component: 'apiserver', provider: 'kubernetes' } : {}
}

export function serviceObject(lab: Lab, svc: KubeService): ApiObject {
  const labels = serviceLabels(svc)
  const ip = clusterIpText(svc)
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(lab, 'Service', svc, Object.keys(labels).length > 0 ? { labels } : {}),
    spec: {
      clusterIP: ip,
      clusterIPs: [ip],
      ...(svc.type === 'NodePort' ? { externalTrafficPolicy: svc.externalTrafficPolicy } : {}),
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: svc.ports.map((p) => ({
        ...(p.name === undefined ? {} : { name: p.name }),
        ...(p.nodePort === undefined ? {} : { nodePort: p.nodePort }),
        port: p.port,
        protocol: p.protocol,
        targetPort: p.targetPort
      })),
      ...(Object.keys(svc.selector).length > 0 ? { selector: { ...svc.selector } } : {}),
      sessionAffinity: svc.sessionAffinity ?? 'None',
      ...(svc.sessionAffinity === 'ClientIP'
        ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: STICKY_MAX_AGE_SECONDS } } }
        : {}),
      type: svc.type
    },
    status: { loadBalancer: {} }
  }
}

function targetRef(lab: Lab, svc: KubeService, podName: string): ApiObject | undefined {
  const pod = lab.pods.find((p) => p.namespace === svc.namespace && p.name === podName)
  return pod ? { kind: 'Pod', name: pod.name, namespace: pod.namespace, uid: pod.uid } : undefined
}

export function endpointsObject(lab: Lab, svc: KubeService): ApiObject {
  const ports = svc.ports.map((p) => ({ port: p, eps: endpointsOf(lab, svc, p) }))
  const addresses = [...new Map(ports.flatMap((x) => x.eps).map((e) => [e.ip, e])).values()]
  const labels = svc.fixedEndpoints
    ? { 'endpointslice.kubernetes.io/skip-mirror': 'true' }
    : serviceLabels(svc)
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: metadata(lab, 'Endpoints', svc, Object.keys(labels).length > 0 ? { labels } : {}),
    ...(addresses.length === 0
      ? {}
      : {
          subsets: [
            {
              addresses: addresses.map((e) => {
                const ref = targetRef(lab, svc, e.pod)
                return {
                  ip: formatIpv4(e.ip),
                  ...(e.pod === '' ? {} : { nodeName: e.node }),
                  ...(ref ? { targetRef: ref } : {})
                }
              }),
              ports: ports.map(({ port, eps }) => ({
                ...(port.name === undefined ? {} : { name: port.name }),
                port: eps[0]?.port ?? port.targetPort,
                protocol: port.protocol
              }))
            }
          ]
        })
  }
}

/** EndpointSlice names are the Service name plus five random characters, stable per Service. */
export function sliceName(svc: KubeService): string {
  // The apiserver names the slice it keeps for its own Service after the Service.
  if (svc.fixedEndpoints) return svc.name
  return `${svc.name}-${randomSuffix(`${svc.namespace}/${svc.name}`)}`
}

export function sliceLabels(svc: KubeService): Record<string, string> {
  return {
    ...serviceLabels(svc),
    'endpointslice.kubernetes.io/managed-by': svc.fixedEndpoints
      ? 'endpointslicemirroring-controller.k8s.io'
      : 'endpointslice-controller.k8s.io',
    'kubernetes.io/service-name': svc.name
  }
}

export function endpointSliceObject(lab: Lab, svc: KubeService): ApiObject {
  const ports = svc.ports.map((p) => ({ port: p, eps: endpointsOf(lab, svc, p) }))
  const addresses = [...new Map(ports.flatMap((x) => x.eps).map((e) => [e.ip, e])).values()]
  const name = sliceName(svc)
  return {
    addressType: 'IPv4',
    apiVersion: 'discovery.k8s.io/v1',
    endpoints: addresses.map((e) => {
      const ref = targetRef(lab, svc, e.pod)
      return {
        addresses: [formatIpv4(e.ip)],
        conditions: { ready: true, serving: true, terminating: false },
        ...(e.pod === '' ? {} : { nodeName: e.node }),
        ...(ref ? { targetRef: ref } : {})
      }
    }),
    kind: 'EndpointSlice',
    metadata: metadata(
      lab,
      'EndpointSlice',
      { name, namespace: svc.namespace, createdAt: svc.createdAt },
      {
        ...(svc.fixedEndpoints ? {} : { generateName: `${svc.name}-` }),
        labels: sliceLabels(svc),
        ownerReferences: [
          {
            apiVersion: 'v1',
            blockOwnerDeletion: true,
            controller: true,
            kind: svc.fixedEndpoints ? 'Endpoints' : 'Service',
            name: svc.name,
            uid: derivedUid(lab, svc.fixedEndpoints ? 'Endpoints' : 'Service', `${svc.namespace}/${svc.name}`)
          }
        ]
      }
    ),
    ports:
      addresses.length === 0
        ? null
        : ports.map(({ port, eps }) => ({
            name: port.name ?? '',
            port: eps[0]?.port ?? port.targetPort,
            protocol: port.protocol
          }))
  }
}

/** A slice written through the API, as the apiserver stores it: what was sent, with metadata. */
export function writtenEndpointSliceObject(lab: Lab, slice: KubeEndpointSlice): ApiObject {
  return {
    addressType: 'IPv4',
    apiVersion: 'discovery.k8s.io/v1',
    endpoints: slice.endpoints.map((e): ApiObject => ({
      addresses: e.addresses.map(formatIpv4),
      conditions: e.ready ? {} : { ready: false },
      ...(e.nodeName === undefined ? {} : { nodeName: e.nodeName }),
      ...(e.pod === undefined ? {} : { targetRef: { kind: 'Pod', name: e.pod, namespace: slice.namespace } })
    })),
    kind: 'EndpointSlice',
    metadata: metadata(lab, 'EndpointSlice', slice, { labels: { ...slice.labels } }),
    ports: slice.ports.length === 0 ? null : slice.ports.map((p) => ({ ...p }))
  }
}

/** kubeadm labels the first node it initialises as the control plane. */
export const isControlPlane = (lab: Lab, node: KubeNode): boolean => lab.nodes[0] === node

export function nodeLabels(lab: Lab, node: KubeNode): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    ...(isControlPlane(lab, node)
      ? {
          'node-role.kubernetes.io/control-plane': '',
          'node.kubernetes.io/exclude-from-external-load-balancers': ''
        }
      : {})
  }
}

/** kubelet's and the attach-detach controller's annotations, and flanneld's. */
export function nodeAnnotations(lab: Lab, node: KubeNode): Record<string, string> {
  return {
    ...flannelNodeAnnotations(lab, node),
    'node.alpha.kubernetes.io/ttl': '0',
    'volumes.kubernetes.io/controller-managed-attach-detach': 'true'
  }
}

/** What the lab's nodes run: the versions `get nodes -o wide` and `describe node` print. */
export const NODE_SYSTEM = {
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0-28-amd64',
  containerRuntimeVersion: 'containerd://1.6.20'
} as const

export const kubeletVersion = (lab: Lab): string => `v${lab.scenario.cluster.kubeProxy.version}.0`

export function nodeObject(lab: Lab, node: KubeNode): ApiObject {
  const cidr = `${formatIpv4(node.podCIDR.network)}/${node.podCIDR.prefixLen}`
  const at = apiTime(lab, 0)
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: metadata(
      lab,
      'Node',
      { name: node.name, createdAt: 0 },
      { annotations: nodeAnnotations(lab, node), labels: nodeLabels(lab, node) }
    ),
    spec: {
      podCIDR: cidr,
      podCIDRs: [cidr],
      ...(isControlPlane(lab, node)
        ? { taints: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }] }
        : {})
    },
    status: {
      addresses: [
        { address: formatIpv4(node.ip), type: 'InternalIP' },
        { address: node.name, type: 'Hostname' }
      ],
      conditions: [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status']
      ].map(([type, status, reason, message]) => ({
        lastHeartbeatTime: at,
        lastTransitionTime: at,
        message: message!,
        reason: reason!,
        status: status!,
        type: type!
      })),
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: NODE_SYSTEM.containerRuntimeVersion,
        kernelVersion: NODE_SYSTEM.kernelVersion,
        kubeProxyVersion: kubeletVersion(lab),
        kubeletVersion: kubeletVersion(lab),
        operatingSystem: 'linux',
        osImage: NODE_SYSTEM.osImage
      }
    }
  }
}

/** kubectl's client-side List: what `get` prints for more than one object in yaml or json. */
export function networkPolicyObject(lab: Lab, p: KubeNetworkPolicy): ApiObject {
  const { podSelector, policyTypes, ingress, egress } = p
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(lab, 'NetworkPolicy', p),
    spec: JSON.parse(JSON.stringify({ egress, ingress, podSelector, policyTypes })) as ApiObject
  }
}

export function listObject(items: readonly ApiObject[]): ApiObject {
  return { apiVersion: 'v1', items: [...items], kind: 'List', metadata: { resourceVersion: '' } }
}

/** An env entry as the apiserver returns it: a field reference defaulted to apiVersion v1. */
export function envObject(e: KubeEnvVar): ApiObject {
  return 'value' in e
    ? { name: e.name, value: e.value }
    : { name: e.name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: e.fieldPath } } }
}
