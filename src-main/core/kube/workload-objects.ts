/**
 * Deployments, ReplicaSets, Namespaces and Events as the apiserver returns them
 * (`kubectl get -o yaml|json`), with the defaults it fills in.
 */

import type { ApiObject } from './api-objects.ts'
import { apiTime, derivedUid, metadata, ownerReference } from './api-objects.ts'
import type { Lab } from './lab.ts'
import { defaultImage } from './pod-sandbox.ts'
import type { KubeDeployment, KubeEvent, KubeReplicaSet, PodTemplate } from './workloads.ts'
import { podsOf } from './workloads.ts'

function templateObject(t: PodTemplate): ApiObject {
  return {
    metadata: { creationTimestamp: null, labels: { ...t.labels } },
    spec: {
      containers: t.containers.map((c) => ({
        image: c.image ?? defaultImage(c.app),
        imagePullPolicy: 'Always',
        name: c.name,
        ...(c.port === undefined
          ? {}
          : { ports: [{ containerPort: c.port, protocol: c.app === 'udp-echo' ? 'UDP' : 'TCP' }] }),
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File'
      })),
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30
    }
  }
}

/** Pods of a set that are ready, which is every pod here once created. */
const readyCount = (lab: Lab, rs: KubeReplicaSet): number => podsOf(lab, rs).filter((p) => p.ready).length

export function deploymentStatus(
  lab: Lab,
  d: KubeDeployment
): { total: number; updated: number; ready: number } {
  const sets = lab.replicaSets.filter((rs) => rs.namespace === d.namespace && rs.deployment === d.name)
  const newest = sets.reduce<KubeReplicaSet | undefined>(
    (a, rs) => (a === undefined || rs.revision > a.revision ? rs : a),
    undefined
  )
  return {
    total: sets.reduce((n, rs) => n + podsOf(lab, rs).length, 0),
    updated: newest ? podsOf(lab, newest).length : 0,
    ready: sets.reduce((n, rs) => n + readyCount(lab, rs), 0)
  }
}

export function deploymentObject(lab: Lab, d: KubeDeployment): ApiObject {
  const s = deploymentStatus(lab, d)
  const newest = lab.replicaSets
    .filter((rs) => rs.deployment === d.name && rs.namespace === d.namespace)
    .reduce<KubeReplicaSet | undefined>(
      (a, rs) => (a === undefined || rs.revision > a.revision ? rs : a),
      undefined
    )
  const at = apiTime(lab, d.createdAt)
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(lab, 'Deployment', d, {
      annotations: { 'deployment.kubernetes.io/revision': String(newest?.revision ?? 0) },
      generation: d.generation
    }),
    spec: {
      progressDeadlineSeconds: 600,
      replicas: d.replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { ...d.selector } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: templateObject(d.template)
    },
    status: {
      ...(s.ready > 0 ? { availableReplicas: s.ready } : {}),
      conditions: [
        {
          lastTransitionTime: at,
          lastUpdateTime: at,
          message: 'Deployment has minimum availability.',
          reason: 'MinimumReplicasAvailable',
          status: 'True',
          type: 'Available'
        },
        {
          lastTransitionTime: at,
          lastUpdateTime: at,
          message: `ReplicaSet "${newest?.name ?? ''}" has successfully progressed.`,
          reason: 'NewReplicaSetAvailable',
          status: 'True',
          type: 'Progressing'
        }
      ],
      observedGeneration: d.generation,
      ...(s.ready > 0 ? { readyReplicas: s.ready } : {}),
      ...(s.total > 0 ? { replicas: s.total, updatedReplicas: s.updated } : {})
    }
  }
}

export function replicaSetObject(lab: Lab, rs: KubeReplicaSet): ApiObject {
  const pods = podsOf(lab, rs).length
  const ready = readyCount(lab, rs)
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: metadata(lab, 'ReplicaSet', rs, {
      ...(rs.deployment === undefined
        ? {}
        : {
            annotations: {
              'deployment.kubernetes.io/desired-replicas': String(rs.replicas),
              'deployment.kubernetes.io/max-replicas': String(rs.replicas + Math.ceil(rs.replicas / 4)),
              'deployment.kubernetes.io/revision': String(rs.revision)
            }
          }),
      generation: 1,
      labels: { ...rs.template.labels },
      ...(rs.deployment === undefined
        ? {}
        : { ownerReferences: [ownerReference(lab, 'Deployment', rs.namespace, rs.deployment)] })
    }),
    spec: {
      replicas: rs.replicas,
      selector: { matchLabels: { ...rs.selector } },
      template: templateObject(rs.template)
    },
    status: {
      ...(ready > 0 ? { availableReplicas: ready, fullyLabeledReplicas: pods } : {}),
      observedGeneration: 1,
      ...(ready > 0 ? { readyReplicas: ready } : {}),
      replicas: pods
    }
  }
}

export function namespaceObject(lab: Lab, ns: Lab['namespaces'][number]): ApiObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: metadata(lab, 'Namespace', ns, {
      labels: Object.fromEntries(
        Object.entries({ ...ns.labels, 'kubernetes.io/metadata.name': ns.name }).sort(([a], [b]) =>
          a < b ? -1 : 1
        )
      )
    }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' }
  }
}

const KINDS: Record<string, { kind: string; apiVersion: string }> = {
  pod: { kind: 'Pod', apiVersion: 'v1' },
  replicaset: { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  deployment: { kind: 'Deployment', apiVersion: 'apps/v1' }
}

/** Event names are the object's name and the event's first time in hex nanoseconds. */
export function eventName(lab: Lab, e: KubeEvent, index: number): string {
  const ns = BigInt(lab.clock.epochMs + e.firstAt) * 1_000_000n + BigInt(index)
  return `${e.object}.${ns.toString(16)}`
}

export function eventObject(lab: Lab, e: KubeEvent, index: number): ApiObject {
  const kind = KINDS[e.kind] ?? { kind: e.kind, apiVersion: 'v1' }
  const name = eventName(lab, e, index)
  return {
    apiVersion: 'v1',
    count: e.count,
    eventTime: null,
    firstTimestamp: apiTime(lab, e.firstAt),
    involvedObject: {
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      name: e.object,
      namespace: e.namespace,
      uid: derivedUid(lab, kind.kind, `${e.namespace}/${e.object}`)
    },
    kind: 'Event',
    lastTimestamp: apiTime(lab, e.lastAt),
    message: e.message,
    metadata: metadata(lab, 'Event', { name, namespace: e.namespace, createdAt: e.firstAt }),
    reason: e.reason,
    reportingComponent: e.source,
    reportingInstance: '',
    source: { component: e.source },
    type: e.type
  }
}
