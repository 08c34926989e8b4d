/**
 * `kubectl describe pod|svc|endpoints|node|netpol` in kubectl's layout
 * (staging/src/k8s.io/kubectl/pkg/describe/describe.go): each writer emits tab-separated lines
 * through Go's text/tabwriter (minwidth 0, padding 2), so a label column is as wide as the
 * longest label in its run of consecutive tabbed lines.
 */

import { SYSTEM_NODE_CRITICAL, qosClass, tolerationLines } from '../../kube/system-pod-spec.ts'
import { daemonSetStatus, type KubeDaemonSet } from '../../kube/daemonsets.ts'
import type { Lab } from '../../kube/lab.ts'
import type {
  KubeNetworkPolicy,
  KubeNetworkPolicyPeer,
  KubeNetworkPolicyPort,
  KubeNode,
  KubeEnvVar,
  KubePod,
  KubeService,
  KubeVolume,
  KubeVolumeMount
} from '../../kube/objects.ts'
import { formatLabelSelector } from '../../kube/network-policy.ts'
import { endpointsOf } from '../../kube/endpoints.ts'
import { formatIpv4 } from '../../net/index.ts'
import {
  NODE_SYSTEM,
  clusterIpText,
  derivedUid,
  endpointsObject,
  hostPortOf,
  imageId,
  isControlPlane,
  nodeAnnotations,
  kubeletVersion,
  nodeLabels,
  randomSuffix,
  serviceLabels
} from '../../kube/api-objects.ts'
import { humanDuration } from './kubectl-get.ts'
import { deploymentStatus } from '../../kube/workload-objects.ts'
import { defaultImage } from '../../kube/pod-sandbox.ts'
import { podsOf, type KubeDeployment, type KubeReplicaSet, type PodTemplate } from '../../kube/workloads.ts'

/**
 * Go's text/tabwriter: a column is as wide as its widest cell among the consecutive lines that
 * have a tab-terminated cell in it; a line with fewer cells ends the run for the columns it lacks.
 */
export function goTabwriter(text: string, minWidth = 0, padding = 2): string {
  const lines = text.split('\n').map((l) => l.split('\t'))
  if (lines.length > 0 && lines[lines.length - 1]!.join('') === '') lines.pop()
  const widths: number[][] = lines.map((l) => new Array<number>(l.length - 1).fill(0))
  const format = (from: number, to: number, column: number): void => {
    for (let i = from; i < to; i++) {
      if (column >= lines[i]!.length - 1) continue
      let end = i
      let width = minWidth
      for (; end < to && column < lines[end]!.length - 1; end++)
        width = Math.max(width, lines[end]![column]!.length + padding)
      for (let k = i; k < end; k++) widths[k]![column] = width
      format(i, end, column + 1)
      i = end - 1
    }
  }
  format(0, lines.length, 0)
  return lines
    .map(
      (cells, i) => cells.map((c, j) => (j < cells.length - 1 ? c.padEnd(widths[i]![j]!) : c)).join('') + '\n'
    )
    .join('')
}

/** time.RFC1123Z, as describe prints times. */
function rfc1123z(lab: Lab, at: number): string {
  const d = new Date(lab.clock.epochMs + at)
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    d.getUTCMonth()
  ]!
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${day}, ${p(d.getUTCDate())} ${month} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}

/** printLabelsMultiline: the first label on the line, the rest each on its own tabbed line. */
function multiline(title: string, map: Readonly<Record<string, string>>, indent = ''): string {
  const keys = Object.keys(map).sort()
  if (keys.length === 0) return `${indent}${title}:\t<none>\n`
  return keys.map((k, i) => `${i === 0 ? `${indent}${title}:` : indent}\t${k}=${map[k] ?? ''}\n`).join('')
}

function multilineAnnotations(title: string, map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort()
  if (keys.length === 0) return `${title}:\t<none>\n`
  return keys.map((k, i) => `${i === 0 ? `${title}:` : ''}\t${k}: ${map[k] ?? ''}\n`).join('')
}

const NO_EVENTS = 'Events:\t<none>\n'

/**
 * DescribeEvents: the object's events oldest last-seen first; one seen more than once says how
 * often and over how long. Its own tabwriter section, so its columns ignore the lines above.
 */
function eventsSection(lab: Lab, kind: string, namespace: string, name: string): string {
  const list = lab.events
    .filter((e) => e.kind === kind && e.namespace === namespace && e.object === name)
    .sort((a, b) => a.lastAt - b.lastAt)
  if (list.length === 0) return NO_EVENTS
  const since = (at: number): string => humanDuration(lab.clock.nowMs - at)
  let t = 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n'
  for (const e of list) {
    const age = e.count > 1 ? `${since(e.lastAt)} (x${e.count} over ${since(e.firstAt)})` : since(e.firstAt)
    t += `  ${e.type}\t${e.reason}\t${age}\t${e.source}\t${e.message}\n`
  }
  return t
}

/** A describe text ending in the object's events: `<none>` aligns with the fields above it. */
function withEvents(t: string, lab: Lab, kind: string, namespace: string, name: string): string {
  const events = eventsSection(lab, kind, namespace, name)
  return events === NO_EVENTS ? goTabwriter(t + events) : goTabwriter(t) + goTabwriter(events)
}

/** A container's command and args, one word a line, when its manifest sets them. */
function commandLines(command: readonly string[], args: readonly string[]): string {
  const list = (label: string, words: readonly string[]): string =>
    words.length === 0 ? '' : `    ${label}:\n${words.map((w) => `      ${w}\n`).join('')}`
  return list('Command', command) + list('Args', args)
}

/** describeVolumes for a host path (its type printed even when empty) and a ConfigMap. */
const volumeLines = (v: KubeVolume): string =>
  'hostPath' in v
    ? `  ${v.name}:\n    Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type}\n`
    : `  ${v.name}:\n    Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap}\n    Optional:\tfalse\n`

export function describePod(lab: Lab, pod: KubePod): string {
  const node = lab.nodes.find((n) => n.name === pod.node)
  const ip = formatIpv4(pod.ip)
  const started = rfc1123z(lab, pod.createdAt)
  const volume = `kube-api-access-${randomSuffix(`${pod.namespace}/${pod.name}/token`)}`
  let t = ''
  t += `Name:\t${pod.name}\n`
  t += `Namespace:\t${pod.namespace}\n`
  const system = pod.system
  const isStatic = system?.staticOn !== undefined
  t += `Priority:\t${system?.priority ?? 0}\n`
  if (system !== undefined) t += `Priority Class Name:\t${system.priorityClassName}\n`
  if (!isStatic) t += `Service Account:\t${system?.serviceAccount ?? 'default'}\n`
  t += `Node:\t${pod.node}/${node ? formatIpv4(node.ip) : ''}\n`
  t += `Start Time:\t${started}\n`
  t += multiline('Labels', pod.labels)
  t += multilineAnnotations('Annotations', system?.annotations ?? {})
  t += 'Status:\tRunning\n'
  if (isStatic) t += 'SeccompProfile:\tRuntimeDefault\n'
  t += `IP:\t${ip}\n`
  t += `IPs:\n  IP:\t${ip}\n`
  if (pod.owner !== undefined) t += `Controlled By:\tReplicaSet/${pod.owner}\n`
  if (pod.daemonSet !== undefined) t += `Controlled By:\tDaemonSet/${pod.daemonSet}\n`
  if (system?.staticOn !== undefined) t += `Controlled By:\tNode/${system.staticOn}\n`
  const tokenMount = {
    mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
    name: volume,
    readOnly: true as const
  }
  const mountsOf = (own: readonly KubeVolumeMount[]): string =>
    `    Mounts:\n${[...own, tokenMount]
      .sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0))
      .map((m) => `      ${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})\n`)
      .join('')}`
  if (pod.initContainers !== undefined) {
    t += 'Init Containers:\n'
    for (const c of pod.initContainers) {
      const at = rfc1123z(lab, c.startedAt)
      t += `  ${c.name}:\n`
      t += `    Container ID:\tcontainerd://${c.id}\n`
      t += `    Image:\t${c.image}\n`
      t += `    Image ID:\t${imageId(c.image)}\n`
      t += '    Port:\t<none>\n    Host Port:\t<none>\n'
      t += commandLines(c.command, c.args)
      t += `    State:\tTerminated\n      Reason:\tCompleted\n      Exit Code:\t0\n      Started:\t${at}\n      Finished:\t${at}\n`
      t += '    Ready:\tTrue\n    Restart Count:\t0\n    Environment:\t<none>\n'
      t += mountsOf(c.mounts)
    }
  }
  t += 'Containers:\n'
  for (const c of pod.containers) {
    t += `  ${c.name}:\n`
    t += `    Container ID:\tcontainerd://${c.id}\n`
    t += `    Image:\t${c.image}\n`
    t += `    Image ID:\t${imageId(c.image)}\n`
    t +=
      c.port === undefined
        ? '    Port:\t<none>\n    Host Port:\t<none>\n'
        : `    Port:\t${c.port}/TCP\n    Host Port:\t${hostPortOf(pod, c) ?? 0}/TCP\n`
    t += commandLines(c.command ?? [], c.args ?? [])
    if (c.state === 'Running') t += `    State:\tRunning\n      Started:\t${started}\n`
    else t += '    State:\tWaiting\n      Reason:\tCrashLoopBackOff\n'
    t += `    Ready:\t${c.state === 'Running' ? 'True' : 'False'}\n`
    t += `    Restart Count:\t${c.restartCount}\n`
    t += requestsSection(system?.requests[c.name] ?? {})
    t += environmentSection(c.env ?? [], pod)
    t += isStatic
      ? `    Mounts:\n${[...system.hostPaths]
          .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
          .map((h) => `      ${h.path} from ${h.name} (${h.readOnly ? 'ro' : 'rw'})\n`)
          .join('')}`
      : mountsOf(system?.mounts?.[c.name] ?? [])
  }
  t += 'Conditions:\n  Type\tStatus\n'
  for (const [type, ok] of [
    ['PodReadyToStartContainers', true],
    ['Initialized', true],
    ['Ready', pod.ready],
    ['ContainersReady', pod.ready],
    ['PodScheduled', true]
  ] as const)
    t += `  ${type} \t${ok ? 'True' : 'False'} \n`
  if (isStatic)
    t += `Volumes:\n${system.hostPaths
      .map(
        (h) =>
          `  ${h.name}:\n    Type:\tHostPath (bare host directory volume)\n    Path:\t${h.path}\n    HostPathType:\t${h.type}\n`
      )
      .join('')}`
  else {
    t += `Volumes:\n${(system?.volumes ?? []).map(volumeLines).join('')}  ${volume}:\n`
    t += '    Type:\tProjected (a volume that contains injected data from multiple sources)\n'
    t += '    TokenExpirationSeconds:\t3607\n'
    t += '    ConfigMapName:\tkube-root-ca.crt\n'
    t += '    ConfigMapOptional:\t<nil>\n'
    t += '    DownwardAPI:\ttrue\n'
  }
  t += `QoS Class:\t${qosClass(pod)}\n`
  t += multiline('Node-Selectors', system?.nodeSelector ?? {})
  const tolerations =
    system === undefined
      ? [
          'node.kubernetes.io/not-ready:NoExecute op=Exists for 300s',
          'node.kubernetes.io/unreachable:NoExecute op=Exists for 300s'
        ]
      : tolerationLines(system.tolerations)
  t += tolerations.map((x, i) => `${i === 0 ? 'Tolerations:' : ''}\t${x}\n`).join('')
  return withEvents(t, lab, 'pod', pod.namespace, pod.name)
}

function podTemplateSection(t: PodTemplate): string {
  let out = 'Pod Template:\n'
  out += multiline('Labels', t.labels, '  ')
  out += '  Containers:\n'
  for (const c of t.containers) {
    out += `   ${c.name}:\n`
    out += `    Image:\t${c.image ?? defaultImage(c.app)}\n`
    const proto = c.app === 'udp-echo' ? 'UDP' : 'TCP'
    out +=
      c.port === undefined
        ? '    Port:\t<none>\n    Host Port:\t<none>\n'
        : `    Port:\t${c.port}/${proto}\n    Host Port:\t0/${proto}\n`
    out += '    Environment:\t<none>\n    Mounts:\t<none>\n'
  }
  out += '  Volumes:\t<none>\n  Node-Selectors:\t<none>\n  Tolerations:\t<none>\n'
  return out
}

const selectorText = (selector: Record<string, string>): string =>
  Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k] ?? ''}`)
    .join(',')

/**
 * describeContainerEnvVars: each variable's value, a field reference resolved against the pod
 * (left empty in a template, which has no pod) followed by where it came from.
 */
function environmentSection(env: readonly KubeEnvVar[], pod?: KubePod): string {
  if (env.length === 0) return '    Environment:\t<none>\n'
  const field = (path: string): string =>
    pod === undefined
      ? ''
      : path === 'metadata.name'
        ? pod.name
        : path === 'metadata.namespace'
          ? pod.namespace
          : ''
  return `    Environment:\n${env
    .map((e) =>
      'value' in e
        ? `      ${e.name}:\t${e.value}\n`
        : `      ${e.name}:\t${field(e.fieldPath)} (v1:${e.fieldPath})\n`
    )
    .join('')}`
}

/** describeContainerResource: a container's requests by resource name, when it has any. */
function requestsSection(requests: Readonly<Record<string, string>>): string {
  const names = Object.keys(requests).sort()
  if (names.length === 0) return ''
  return `    Requests:\n${names.map((k) => `      ${k}:\t${requests[k] ?? ''}\n`).join('')}`
}

/** DescribePodTemplate for a DaemonSet: the template's labels, service account, containers, placement. */
function daemonSetTemplateSection(ds: KubeDaemonSet): string {
  let out = 'Pod Template:\n'
  out += multiline('Labels', { ...ds.labels, ...ds.selector }, '  ')
  out += `  Service Account:\t${ds.serviceAccount}\n`
  out += '  Containers:\n'
  out += `   ${ds.container.name}:\n`
  out += `    Image:\t${ds.container.image}\n`
  out += '    Port:\t<none>\n    Host Port:\t<none>\n'
  out += requestsSection(ds.container.requests)
  out += environmentSection(ds.container.env)
  out += '    Mounts:\t<none>\n'
  out += '  Volumes:\t<none>\n'
  out += `  Priority Class Name:\t${SYSTEM_NODE_CRITICAL.priorityClassName}\n`
  out += multiline('Node-Selectors', ds.nodeSelector, '  ')
  out += tolerationLines(ds.tolerations)
    .map((x, i) => `${i === 0 ? '  Tolerations:' : ''}\t${x}\n`)
    .join('')
  return out
}

/** describeDaemonSet: its counts, pods by phase (a crash-looping pod's is still Running), template. */
export function describeDaemonSet(lab: Lab, ds: KubeDaemonSet): string {
  const st = daemonSetStatus(ds)
  let t = ''
  t += `Name:\t${ds.name}\n`
  t += `Namespace:\t${ds.namespace}\n`
  t += `Selector:\t${selectorText(ds.selector)}\n`
  t += `Node-Selector:\t${selectorText(ds.nodeSelector) || '<none>'}\n`
  t += multiline('Labels', ds.labels)
  t += multilineAnnotations('Annotations', {
    'deprecated.daemonset.template.generation': String(ds.generation)
  })
  t += `Desired Number of Nodes Scheduled: ${st.desired}\n`
  t += `Current Number of Nodes Scheduled: ${st.current}\n`
  t += `Number of Nodes Scheduled with Up-to-date Pods: ${st.updated}\n`
  t += `Number of Nodes Scheduled with Available Pods: ${st.available}\n`
  t += 'Number of Nodes Misscheduled: 0\n'
  t += `Pods Status:\t${ds.pods.length} Running / 0 Waiting / 0 Succeeded / 0 Failed\n`
  t += daemonSetTemplateSection(ds)
  return withEvents(t, lab, 'daemonset', ds.namespace, ds.name)
}

export function describeDeployment(lab: Lab, d: KubeDeployment): string {
  const st = deploymentStatus(lab, d)
  const sets = lab.replicaSets.filter((rs) => rs.namespace === d.namespace && rs.deployment === d.name)
  const newest = sets.reduce<KubeReplicaSet | undefined>(
    (a, rs) => (a === undefined || rs.revision > a.revision ? rs : a),
    undefined
  )
  const old = sets.filter((rs) => rs !== newest && podsOf(lab, rs).length > 0)
  const setText = (rs: KubeReplicaSet): string =>
    `${rs.name} (${podsOf(lab, rs).length}/${rs.replicas} replicas created)`
  let t = ''
  t += `Name:\t${d.name}\n`
  t += `Namespace:\t${d.namespace}\n`
  t += `CreationTimestamp:\t${rfc1123z(lab, d.createdAt)}\n`
  t += 'Labels:\t<none>\n'
  t += `Annotations:\tdeployment.kubernetes.io/revision: ${newest?.revision ?? 0}\n`
  t += `Selector:\t${selectorText(d.selector)}\n`
  t += `Replicas:\t${d.replicas} desired | ${st.updated} updated | ${st.total} total | ${st.ready} available | ${Math.max(0, st.total - st.ready)} unavailable\n`
  t += 'StrategyType:\tRollingUpdate\n'
  t += 'MinReadySeconds:\t0\n'
  t += 'RollingUpdateStrategy:\t25% max unavailable, 25% max surge\n'
  t += podTemplateSection(d.template)
  t += 'Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n'
  t += '  Available \tTrue \tMinimumReplicasAvailable\n'
  t += '  Progressing \tTrue \tNewReplicaSetAvailable\n'
  t += `OldReplicaSets:\t${old.length === 0 ? '<none>' : old.map(setText).join(', ')}\n`
  t += `NewReplicaSet:\t${newest ? setText(newest) : '<none>'}\n`
  return withEvents(t, lab, 'deployment', d.namespace, d.name)
}

export function describeReplicaSet(lab: Lab, rs: KubeReplicaSet): string {
  const pods = podsOf(lab, rs)
  let t = ''
  t += `Name:\t${rs.name}\n`
  t += `Namespace:\t${rs.namespace}\n`
  t += `Selector:\t${selectorText(rs.selector)}\n`
  t += multiline('Labels', rs.template.labels)
  t +=
    rs.deployment === undefined
      ? 'Annotations:\t<none>\n'
      : `Annotations:\tdeployment.kubernetes.io/desired-replicas: ${rs.replicas}\n\tdeployment.kubernetes.io/max-replicas: ${rs.replicas + Math.ceil(rs.replicas / 4)}\n\tdeployment.kubernetes.io/revision: ${rs.revision}\n`
  if (rs.deployment !== undefined) t += `Controlled By:\tDeployment/${rs.deployment}\n`
  t += `Replicas:\t${pods.length} current / ${rs.replicas} desired\n`
  t += `Pods Status:\t${pods.filter((p) => p.ready).length} Running / 0 Waiting / 0 Succeeded / 0 Failed\n`
  t += podTemplateSection(rs.template)
  return withEvents(t, lab, 'replicaset', rs.namespace, rs.name)
}

export function describeService(lab: Lab, svc: KubeService): string {
  const ip = clusterIpText(svc)
  let t = ''
  t += `Name:\t${svc.name}\n`
  t += `Namespace:\t${svc.namespace}\n`
  t += multiline('Labels', serviceLabels(svc))
  t += 'Annotations:\t<none>\n'
  t += `Selector:\t${
    Object.keys(svc.selector)
      .sort()
      .map((k) => `${k}=${svc.selector[k] ?? ''}`)
      .join(',') || '<none>'
  }\n`
  t += `Type:\t${svc.type}\n`
  t += 'IP Family Policy:\tSingleStack\n'
  t += 'IP Families:\tIPv4\n'
  t += `IP:\t${ip}\n`
  t += `IPs:\t${ip}\n`
  for (const p of svc.ports) {
    const name = p.name ?? '<unset>'
    t += `Port:\t${name}  ${p.port}/${p.protocol}\n`
    t += `TargetPort:\t${p.targetPort}/${p.protocol}\n`
    if (p.nodePort !== undefined) t += `NodePort:\t${name}  ${p.nodePort}/${p.protocol}\n`
    const eps = endpointsOf(lab, svc, p).map((e) => `${formatIpv4(e.ip)}:${e.port}`)
    t += `Endpoints:\t${eps.length === 0 ? '<none>' : eps.join(',')}\n`
  }
  t += 'Session Affinity:\tNone\n'
  if (svc.type === 'NodePort') t += `External Traffic Policy:\t${svc.externalTrafficPolicy}\n`
  t += 'Internal Traffic Policy:\tCluster\n'
  t += NO_EVENTS
  return goTabwriter(t)
}

export function describeEndpoints(lab: Lab, svc: KubeService): string {
  const obj = endpointsObject(lab, svc)
  const labels = (obj['metadata'] as { labels?: Record<string, string> }).labels ?? {}
  let t = `Name:\t${svc.name}\nNamespace:\t${svc.namespace}\n`
  t += multiline('Labels', labels)
  t += 'Annotations:\t<none>\n'
  t += 'Subsets:\n'
  const all = svc.ports.map((p) => ({ p, eps: endpointsOf(lab, svc, p) }))
  const ips = [...new Set(all.flatMap((x) => x.eps.map((e) => formatIpv4(e.ip))))]
  if (ips.length > 0) {
    t += `  Addresses:\t${ips.join(',')}\n`
    t += '  NotReadyAddresses:\t<none>\n'
    t += '  Ports:\n    Name\tPort\tProtocol\n    ----\t----\t--------\n'
    for (const { p, eps } of all)
      t += `    ${p.name ?? '<unset>'}\t${eps[0]?.port ?? p.targetPort}\t${p.protocol}\n`
    t += '\n'
  }
  t += NO_EVENTS
  return goTabwriter(t)
}

export function describeNode(lab: Lab, node: KubeNode): string {
  const created = rfc1123z(lab, 0)
  const now = rfc1123z(lab, lab.clock.nowMs)
  const cidr = `${formatIpv4(node.podCIDR.network)}/${node.podCIDR.prefixLen}`
  const pods = lab.pods
    .filter((p) => p.node === node.name)
    .sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))
  let t = `Name:\t${node.name}\n`
  t += `Roles:\t${isControlPlane(lab, node) ? 'control-plane' : '<none>'}\n`
  t += multiline('Labels', nodeLabels(lab, node))
  t += multilineAnnotations('Annotations', nodeAnnotations(lab, node))
  t += `CreationTimestamp:\t${created}\n`
  t += `Taints:\t${isControlPlane(lab, node) ? 'node-role.kubernetes.io/control-plane:NoSchedule' : '<none>'}\n`
  t += 'Unschedulable:\tfalse\n'
  t += `Lease:\n  HolderIdentity:\t${node.name}\n  AcquireTime:\t<unset>\n  RenewTime:\t${now}\n`
  t += 'Conditions:\n'
  t += '  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n'
  t += '  ----\t------\t-----------------\t------------------\t------\t-------\n'
  for (const [type, status, reason, message] of [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status']
  ])
    t += `  ${type} \t${status} \t${now} \t${created} \t${reason} \t${message}\n`
  t += `Addresses:\n  InternalIP:\t${formatIpv4(node.ip)}\n  Hostname:\t${node.name}\n`
  t += 'System Info:\n'
  t += `  Machine ID:\t${derivedUid(lab, 'machine-id', node.name).replace(/-/g, '')}\n`
  t += `  System UUID:\t${derivedUid(lab, 'system-uuid', node.name)}\n`
  t += `  Boot ID:\t${derivedUid(lab, 'boot-id', node.name)}\n`
  t += `  Kernel Version:\t${NODE_SYSTEM.kernelVersion}\n`
  t += `  OS Image:\t${NODE_SYSTEM.osImage}\n`
  t += '  Operating System:\tlinux\n'
  t += '  Architecture:\tamd64\n'
  t += `  Container Runtime Version:\t${NODE_SYSTEM.containerRuntimeVersion}\n`
  t += `  Kubelet Version:\t${kubeletVersion(lab)}\n`
  t += `  Kube-Proxy Version:\t${kubeletVersion(lab)}\n`
  t += `PodCIDR:\t${cidr}\n`
  t += `PodCIDRs:\t${cidr}\n`
  t += `Non-terminated Pods:\t(${pods.length} in total)\n`
  t += '  Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n'
  t += '  ---------\t----\t------------\t----------\t---------------\t-------------\t---\n'
  for (const p of pods)
    t += `  ${p.namespace}\t${p.name}\t0 (0%)\t0 (0%)\t0 (0%)\t0 (0%)\t${humanDuration(lab.clock.nowMs - p.createdAt)}\n`
  t += 'Allocated resources:\n'
  t += '  (Total limits may be over 100 percent, i.e., overcommitted.)\n'
  t += '  Resource\tRequests\tLimits\n'
  t += '  --------\t--------\t------\n'
  t += '  cpu\t0 (0%)\t0 (0%)\n'
  t += '  memory\t0 (0%)\t0 (0%)\n'
  t += '  ephemeral-storage\t0 (0%)\t0 (0%)\n'
  t += '  hugepages-2Mi\t0 (0%)\t0 (0%)\n'
  t += NO_EVENTS
  return goTabwriter(t)
}

/** metav1.Time's String(): Go's time.Time format in UTC. */
function goTime(lab: Lab, at: number): string {
  return `${new Date(lab.clock.epochMs + at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')} +0000 UTC`
}

/**
 * printNetworkPolicySpecIngressFrom / EgressTo: each rule's ports (TCP when the protocol is
 * left out), then its peers, a `----------` line between rules.
 */
function networkPolicyRules(
  rules: readonly { peers?: KubeNetworkPolicyPeer[]; ports?: KubeNetworkPolicyPort[] }[],
  dir: 'ingress' | 'egress'
): string {
  const indent = '    '
  if (rules.length === 0) return `${indent}<none> (Selected pods are isolated for ${dir} connectivity)\n`
  const peerWord = dir === 'ingress' ? 'From' : 'To'
  return rules
    .map((rule) => {
      let t = ''
      if (!rule.ports || rule.ports.length === 0)
        t += `${indent}To Port: <any> (traffic allowed to all ports)\n`
      else for (const p of rule.ports) t += `${indent}To Port: ${p.port ?? '<nil>'}/${p.protocol}\n`
      if (!rule.peers || rule.peers.length === 0)
        t += `${indent}${peerWord}: <any> (traffic not restricted by ${dir === 'ingress' ? 'source' : 'destination'})\n`
      else
        for (const peer of rule.peers) {
          t += `${indent}${peerWord}:\n`
          if (peer.namespaceSelector)
            t += `  ${indent}NamespaceSelector: ${formatLabelSelector(peer.namespaceSelector)}\n`
          if (peer.podSelector) t += `  ${indent}PodSelector: ${formatLabelSelector(peer.podSelector)}\n`
          if (!peer.namespaceSelector && !peer.podSelector && peer.ipBlock) {
            t += `  ${indent}IPBlock:\n`
            t += `    ${indent}CIDR: ${peer.ipBlock.cidr}\n`
            t += `    ${indent}Except: ${(peer.ipBlock.except ?? []).join(', ')}\n`
          }
        }
      return t
    })
    .join(`${indent}----------\n`)
}

export function describeNetworkPolicy(lab: Lab, p: KubeNetworkPolicy): string {
  let t = `Name:\t${p.name}\nNamespace:\t${p.namespace}\nCreated on:\t${goTime(lab, p.createdAt)}\n`
  t += 'Labels:\t<none>\nAnnotations:\t<none>\n'
  t += 'Spec:\n'
  const selector = formatLabelSelector(p.podSelector)
  t += `  PodSelector:     ${selector === '<none>' ? '<none> (Allowing the specific traffic to all pods in this namespace)' : selector}\n`
  if (p.policyTypes.includes('Ingress'))
    t +=
      '  Allowing ingress traffic:\n' +
      networkPolicyRules(
        (p.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })),
        'ingress'
      )
  else t += '  Not affecting ingress traffic\n'
  if (p.policyTypes.includes('Egress'))
    t +=
      '  Allowing egress traffic:\n' +
      networkPolicyRules(
        (p.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })),
        'egress'
      )
  else t += '  Not affecting egress traffic\n'
  t += `  Policy Types: ${p.policyTypes.join(', ')}\n`
  return goTabwriter(t)
}
