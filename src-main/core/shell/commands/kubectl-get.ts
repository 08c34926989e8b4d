/**
 * `kubectl get` over the lab's objects: one or several kinds (`pods,svc`, `all`, `TYPE/NAME`),
 * label and field selectors, every namespace or one, and the printers kubectl has: tables
 * (plain, wide, with labels or label columns, without headers), name, yaml, json, jsonpath and
 * custom-columns. Tables follow k8s.io/kubernetes pkg/printers/internalversion/printers.go.
 */

import { daemonSetObject, daemonSetStatus, daemonSets, systemPods } from '../../kube/daemonsets.ts'
import { configMapObject, kubeProxyConfigMaps, rootCaConfigMaps } from '../../kube/kube-proxy-pods.ts'
import { stringify as toYaml } from 'yaml'
import type { Lab } from '../../kube/lab.ts'
import type { KubePod, KubeService } from '../../kube/objects.ts'
import { endpointsOf } from '../../kube/endpoints.ts'
import { formatIpv4 } from '../../net/index.ts'
import {
  NODE_SYSTEM,
  clusterIpText,
  endpointSliceObject,
  endpointsObject,
  isControlPlane,
  kubeletVersion,
  listObject,
  networkPolicyObject,
  nodeLabels,
  nodeObject,
  podObject,
  serviceLabels,
  serviceObject,
  sliceLabels,
  sliceName,
  writtenEndpointSliceObject
} from '../../kube/api-objects.ts'
import { sliceColumns } from '../../kube/endpoint-slices.ts'
import type { ApiObject, ApiValue } from '../../kube/api-objects.ts'
import {
  deploymentObject,
  deploymentStatus,
  eventName,
  eventObject,
  namespaceObject,
  replicaSetObject
} from '../../kube/workload-objects.ts'
import { podsOf, type PodTemplate } from '../../kube/workloads.ts'
import { formatLabelSelector } from '../../kube/network-policy.ts'
import { defaultImage } from '../../kube/pod-sandbox.ts'
import { matchesLabels, parseLabelSelector } from '../../kube/label-selector.ts'
import { matchesFields, parseFieldSelector } from '../../kube/field-selector.ts'
import { evaluate, parseTemplate, printValue, relaxedPath, runJsonPath } from '../../kube/jsonpath.ts'
import type { CommandOutput } from '../command.ts'

/** Go's text/tabwriter as kubectl configures it: minwidth 6, padding 3, last column unpadded. */
export function tabulate(rows: readonly (readonly string[])[], minWidth = 6, padding = 3): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows
    .map(
      (r) =>
        `${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(Math.max(minWidth, (widths[i] ?? 0) + padding)))).join('')}\n`
    )
    .join('')
}

/** k8s.io/apimachinery duration.HumanDuration: the AGE column. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  const days = Math.floor(hours / 24)
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`
  return `${Math.floor(days / 365)}y`
}

export type Resource =
  | 'pods'
  | 'services'
  | 'endpoints'
  | 'endpointslices'
  | 'nodes'
  | 'daemonsets'
  | 'deployments'
  | 'replicasets'
  | 'configmaps'
  | 'namespaces'
  | 'events'
  | 'networkpolicies'

export const RESOURCES: Record<string, Resource> = {
  po: 'pods',
  pod: 'pods',
  pods: 'pods',
  svc: 'services',
  service: 'services',
  services: 'services',
  ep: 'endpoints',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  endpointslices: 'endpointslices',
  'endpointslice.discovery.k8s.io': 'endpointslices',
  'endpointslices.discovery.k8s.io': 'endpointslices',
  no: 'nodes',
  node: 'nodes',
  nodes: 'nodes',
  ds: 'daemonsets',
  daemonset: 'daemonsets',
  daemonsets: 'daemonsets',
  'daemonset.apps': 'daemonsets',
  'daemonsets.apps': 'daemonsets',
  cm: 'configmaps',
  configmap: 'configmaps',
  configmaps: 'configmaps',
  deploy: 'deployments',
  deployment: 'deployments',
  deployments: 'deployments',
  'deployment.apps': 'deployments',
  'deployments.apps': 'deployments',
  rs: 'replicasets',
  replicaset: 'replicasets',
  replicasets: 'replicasets',
  'replicaset.apps': 'replicasets',
  'replicasets.apps': 'replicasets',
  ns: 'namespaces',
  namespace: 'namespaces',
  namespaces: 'namespaces',
  ev: 'events',
  event: 'events',
  events: 'events',
  netpol: 'networkpolicies',
  networkpolicy: 'networkpolicies',
  networkpolicies: 'networkpolicies',
  'networkpolicy.networking.k8s.io': 'networkpolicies',
  'networkpolicies.networking.k8s.io': 'networkpolicies'
}

/** Resources that belong to no namespace. */
const CLUSTER_SCOPED: ReadonlySet<Resource> = new Set(['nodes', 'namespaces'])

/** How `-o name` and several-kind tables name an object's kind (its resource's singular, with group). */
const TYPE_PREFIX: Record<Resource, string> = {
  pods: 'pod',
  services: 'service',
  endpoints: 'endpoints',
  endpointslices: 'endpointslice.discovery.k8s.io',
  nodes: 'node',
  daemonsets: 'daemonset.apps',
  configmaps: 'configmap',
  deployments: 'deployment.apps',
  replicasets: 'replicaset.apps',
  namespaces: 'namespace',
  events: 'event',
  networkpolicies: 'networkpolicy.networking.k8s.io'
}

/** The resource the apiserver names in a refused list request ("/v1, Resource=pods"). */
const GROUP_RESOURCE: Record<Resource, string> = {
  pods: '/v1, Resource=pods',
  services: '/v1, Resource=services',
  endpoints: '/v1, Resource=endpoints',
  endpointslices: 'discovery.k8s.io/v1, Resource=endpointslices',
  nodes: '/v1, Resource=nodes',
  daemonsets: 'apps/v1, Resource=daemonsets',
  configmaps: '/v1, Resource=configmaps',
  deployments: 'apps/v1, Resource=deployments',
  replicasets: 'apps/v1, Resource=replicasets',
  namespaces: '/v1, Resource=namespaces',
  events: '/v1, Resource=events',
  networkpolicies: 'networking.k8s.io/v1, Resource=networkpolicies'
}

/**
 * The kinds `get all` lists (the "all" category): pods, services, daemonsets, deployments,
 * replicasets, statefulsets, jobs, cronjobs. The lab keeps no statefulsets or jobs.
 */
const ALL: readonly Resource[] = ['pods', 'services', 'daemonsets', 'deployments', 'replicasets']

interface Item {
  readonly namespace: string | undefined
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly object: ApiObject
  /** Values of the selectable fields. */
  readonly fields: Readonly<Record<string, string>>
  readonly cells: (wide: boolean) => string[]
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort()
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels[k] ?? ''}`).join(',')
}

function podStatus(pod: KubePod): { ready: string; status: string; restarts: string } {
  const running = pod.containers.filter((c) => c.state === 'Running').length
  const crashing = pod.containers.find((c) => c.state === 'CrashLoopBackOff')
  const restarts = pod.containers.reduce((a, c) => a + c.restartCount, 0)
  return {
    ready: `${running}/${pod.containers.length}`,
    status: crashing ? 'CrashLoopBackOff' : 'Running',
    restarts: String(restarts)
  }
}

function portsText(svc: KubeService): string {
  return svc.ports
    .map((p) =>
      p.nodePort === undefined ? `${p.port}/${p.protocol}` : `${p.port}:${p.nodePort}/${p.protocol}`
    )
    .join(',')
}

/** Endpoints' ENDPOINTS column: at most three, then "+ N more...". */
function abbreviate(list: readonly string[]): string {
  if (list.length === 0) return '<none>'
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',')
}

const HEADERS: Record<Resource, (wide: boolean) => string[]> = {
  pods: (wide) => [
    'NAME',
    'READY',
    'STATUS',
    'RESTARTS',
    'AGE',
    ...(wide ? ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] : [])
  ],
  services: (wide) => [
    'NAME',
    'TYPE',
    'CLUSTER-IP',
    'EXTERNAL-IP',
    'PORT(S)',
    'AGE',
    ...(wide ? ['SELECTOR'] : [])
  ],
  endpoints: () => ['NAME', 'ENDPOINTS', 'AGE'],
  endpointslices: () => ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
  deployments: (wide) => [
    'NAME',
    'READY',
    'UP-TO-DATE',
    'AVAILABLE',
    'AGE',
    ...(wide ? ['CONTAINERS', 'IMAGES', 'SELECTOR'] : [])
  ],
  replicasets: (wide) => [
    'NAME',
    'DESIRED',
    'CURRENT',
    'READY',
    'AGE',
    ...(wide ? ['CONTAINERS', 'IMAGES', 'SELECTOR'] : [])
  ],
  daemonsets: (wide) => [
    'NAME',
    'DESIRED',
    'CURRENT',
    'READY',
    'UP-TO-DATE',
    'AVAILABLE',
    'NODE SELECTOR',
    'AGE',
    ...(wide ? ['CONTAINERS', 'IMAGES', 'SELECTOR'] : [])
  ],
  configmaps: () => ['NAME', 'DATA', 'AGE'],
  namespaces: () => ['NAME', 'STATUS', 'AGE'],
  networkpolicies: () => ['NAME', 'POD-SELECTOR', 'AGE'],
  // Events have no NAME column: kubectl prints the name only with -o wide, last.
  events: (wide) => [
    'LAST SEEN',
    'TYPE',
    'REASON',
    'OBJECT',
    ...(wide ? ['SUBOBJECT', 'SOURCE'] : []),
    'MESSAGE',
    ...(wide ? ['FIRST SEEN', 'COUNT', 'NAME'] : [])
  ],
  nodes: (wide) => [
    'NAME',
    'STATUS',
    'ROLES',
    'AGE',
    'VERSION',
    ...(wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : [])
  ]
}

function items(lab: Lab, resource: Resource): Item[] {
  const now = lab.clock.nowMs
  const age = (at: number): string => humanDuration(now - at)
  switch (resource) {
    case 'pods':
      return [...lab.pods, ...systemPods(lab)].map((p) => ({
        namespace: p.namespace,
        name: p.name,
        labels: p.labels,
        object: podObject(lab, p),
        fields: {
          'metadata.name': p.name,
          'metadata.namespace': p.namespace,
          'spec.nodeName': p.node,
          'spec.restartPolicy': 'Always',
          'spec.schedulerName': 'default-scheduler',
          'spec.serviceAccountName':
            p.system?.staticOn === undefined ? (p.system?.serviceAccount ?? 'default') : '',
          'spec.hostNetwork': String(p.hostNetwork),
          'status.phase': 'Running',
          'status.podIP': formatIpv4(p.ip),
          'status.podIPs': formatIpv4(p.ip),
          'status.nominatedNodeName': ''
        },
        cells: (wide) => {
          const s = podStatus(p)
          return [
            s.ready,
            s.status,
            s.restarts,
            age(p.createdAt),
            ...(wide ? [formatIpv4(p.ip), p.node, '<none>', '<none>'] : [])
          ]
        }
      }))
    case 'services':
      return lab.services.map((s) => ({
        namespace: s.namespace,
        name: s.name,
        labels: serviceLabels(s),
        object: serviceObject(lab, s),
        fields: {
          'metadata.name': s.name,
          'metadata.namespace': s.namespace,
          'spec.clusterIP': clusterIpText(s),
          'spec.type': s.type
        },
        cells: (wide) => [
          s.type,
          clusterIpText(s),
          '<none>',
          portsText(s),
          age(s.createdAt),
          ...(wide ? [labelText(s.selector)] : [])
        ]
      }))
    case 'endpoints':
      return lab.services.map((s) => {
        const object = endpointsObject(lab, s)
        const meta = object['metadata'] as { labels?: Record<string, string> }
        return {
          namespace: s.namespace,
          name: s.name,
          labels: meta.labels ?? {},
          object,
          fields: { 'metadata.name': s.name, 'metadata.namespace': s.namespace },
          cells: () => [
            abbreviate(
              s.ports.flatMap((p) => endpointsOf(lab, s, p).map((e) => `${formatIpv4(e.ip)}:${e.port}`))
            ),
            age(s.createdAt)
          ]
        }
      })
    case 'endpointslices':
      return [
        // The controller writes slices only for Services with a selector (the apiserver's own one
        // is mirrored from its Endpoints); a selector-less Service gets the slices written for it.
        ...lab.services
          .filter((s) => s.fixedEndpoints || Object.keys(s.selector).length > 0)
          .map((s) => ({
            namespace: s.namespace,
            name: sliceName(s),
            labels: sliceLabels(s),
            object: endpointSliceObject(lab, s),
            fields: { 'metadata.name': sliceName(s), 'metadata.namespace': s.namespace },
            cells: () => {
              const eps = s.ports.flatMap((p) => endpointsOf(lab, s, p))
              const ips = [...new Set(eps.map((e) => formatIpv4(e.ip)))]
              const ports =
                eps.length === 0 ? '<unset>' : [...new Set(eps.map((e) => String(e.port)))].join(',')
              return ['IPv4', ports, ips.length === 0 ? '<unset>' : abbreviate(ips), age(s.createdAt)]
            }
          })),
        ...lab.endpointSlices.map((slice) => {
          const { ports, addresses } = sliceColumns(slice)
          return {
            namespace: slice.namespace,
            name: slice.name,
            labels: slice.labels,
            object: writtenEndpointSliceObject(lab, slice),
            fields: { 'metadata.name': slice.name, 'metadata.namespace': slice.namespace },
            cells: () => [
              'IPv4',
              ports,
              addresses.length === 0 ? '<unset>' : abbreviate(addresses),
              age(slice.createdAt)
            ]
          }
        })
      ]
    case 'deployments':
      return lab.deployments.map((d) => {
        const st = deploymentStatus(lab, d)
        return {
          namespace: d.namespace,
          name: d.name,
          labels: {},
          object: deploymentObject(lab, d),
          fields: { 'metadata.name': d.name, 'metadata.namespace': d.namespace },
          cells: (wide) => [
            `${st.ready}/${d.replicas}`,
            String(st.updated),
            String(st.ready),
            age(d.createdAt),
            ...(wide ? templateCells(d.template, d.selector) : [])
          ]
        }
      })
    case 'replicasets':
      return lab.replicaSets.map((rs) => {
        const pods = podsOf(lab, rs)
        return {
          namespace: rs.namespace,
          name: rs.name,
          labels: rs.template.labels,
          object: replicaSetObject(lab, rs),
          fields: {
            'metadata.name': rs.name,
            'metadata.namespace': rs.namespace,
            'status.replicas': String(pods.length)
          },
          cells: (wide) => [
            String(rs.replicas),
            String(pods.length),
            String(pods.filter((p) => p.ready).length),
            age(rs.createdAt),
            ...(wide ? templateCells(rs.template, rs.selector) : [])
          ]
        }
      })
    case 'daemonsets':
      return daemonSets(lab).map((ds) => {
        const st = daemonSetStatus(ds)
        return {
          namespace: ds.namespace,
          name: ds.name,
          labels: ds.labels,
          object: daemonSetObject(lab, ds),
          fields: { 'metadata.name': ds.name, 'metadata.namespace': ds.namespace },
          cells: (wide) => [
            String(st.desired),
            String(st.current),
            String(st.ready),
            String(st.updated),
            String(st.available),
            labelText(ds.nodeSelector),
            age(ds.createdAt),
            ...(wide ? [ds.container.name, ds.container.image, labelText(ds.selector)] : [])
          ]
        }
      })
    case 'configmaps':
      return [...rootCaConfigMaps(lab), ...kubeProxyConfigMaps(lab)].map((cm) => ({
        namespace: cm.namespace,
        name: cm.name,
        labels: cm.labels,
        object: configMapObject(lab, cm),
        fields: { 'metadata.name': cm.name, 'metadata.namespace': cm.namespace },
        cells: () => [String(Object.keys(cm.data).length), age(cm.createdAt)]
      }))
    case 'namespaces':
      return lab.namespaces.map((n) => ({
        namespace: undefined,
        name: n.name,
        labels: { ...n.labels, 'kubernetes.io/metadata.name': n.name },
        object: namespaceObject(lab, n),
        fields: { 'metadata.name': n.name, 'status.phase': 'Active' },
        cells: () => ['Active', age(n.createdAt)]
      }))
    case 'networkpolicies':
      return lab.networkPolicies.map((p) => ({
        namespace: p.namespace,
        name: p.name,
        labels: {},
        object: networkPolicyObject(lab, p),
        fields: { 'metadata.name': p.name, 'metadata.namespace': p.namespace },
        cells: () => [formatLabelSelector(p.podSelector), age(p.createdAt)]
      }))
    case 'events':
      return lab.events.map((e, i) => {
        const name = eventName(lab, e, i)
        return {
          namespace: e.namespace,
          name,
          labels: {},
          object: eventObject(lab, e, i),
          fields: {
            'metadata.name': name,
            'metadata.namespace': e.namespace,
            'involvedObject.kind': KIND_OF_EVENT_OBJECT[e.kind] ?? e.kind,
            'involvedObject.name': e.object,
            'involvedObject.namespace': e.namespace,
            reason: e.reason,
            type: e.type
          },
          cells: (wide) => [
            age(e.lastAt),
            e.type,
            e.reason,
            `${e.kind}/${e.object}`,
            ...(wide ? ['', e.source] : []),
            e.message,
            ...(wide ? [age(e.firstAt), String(e.count), name] : [])
          ]
        }
      })
    case 'nodes':
      return lab.nodes.map((n) => ({
        namespace: undefined,
        name: n.name,
        labels: nodeLabels(lab, n),
        object: nodeObject(lab, n),
        fields: { 'metadata.name': n.name, 'spec.unschedulable': 'false' },
        cells: (wide) => [
          'Ready',
          isControlPlane(lab, n) ? 'control-plane' : '<none>',
          age(0),
          kubeletVersion(lab),
          ...(wide
            ? [
                formatIpv4(n.ip),
                '<none>',
                NODE_SYSTEM.osImage,
                NODE_SYSTEM.kernelVersion,
                NODE_SYSTEM.containerRuntimeVersion
              ]
            : [])
        ]
      }))
  }
}

const KIND_OF_EVENT_OBJECT: Record<string, string> = {
  pod: 'Pod',
  replicaset: 'ReplicaSet',
  deployment: 'Deployment'
}

/** The wide columns Deployments and ReplicaSets share: containers, images, selector. */
function templateCells(t: PodTemplate, selector: Record<string, string>): string[] {
  return [
    t.containers.map((c) => c.name).join(','),
    t.containers.map((c) => c.image ?? defaultImage(c.app)).join(','),
    labelText(selector)
  ]
}

export type Output =
  | { kind: 'table'; wide: boolean }
  | { kind: 'name' }
  | { kind: 'yaml' }
  | { kind: 'json' }
  | { kind: 'jsonpath'; template: string }
  | { kind: 'custom-columns'; columns: { header: string; path: string }[] }

/** Parses `-o FORMAT`; an error text when kubectl would refuse it. */
export function parseOutput(text: string | undefined): Output | string {
  if (text === undefined) return { kind: 'table', wide: false }
  const eq = text.indexOf('=')
  const format = eq < 0 ? text : text.slice(0, eq)
  const arg = eq < 0 ? undefined : text.slice(eq + 1)
  switch (format) {
    case 'wide':
      return { kind: 'table', wide: true }
    case 'name':
    case 'yaml':
    case 'json':
      return { kind: format }
    case 'jsonpath':
      if (arg === undefined || arg === '') return 'error: template format specified but no template given\n'
      return { kind: 'jsonpath', template: arg }
    case 'custom-columns': {
      if (arg === undefined || arg === '')
        return 'error: custom-columns format specified but no custom columns given\n'
      const columns: { header: string; path: string }[] = []
      for (const spec of arg.split(',')) {
        const colon = spec.indexOf(':')
        if (colon < 0)
          return `error: unexpected custom-columns spec: ${spec}, expected <header>:<json-path-expr>\n`
        columns.push({ header: spec.slice(0, colon), path: relaxedPath(spec.slice(colon + 1)) })
      }
      return { kind: 'custom-columns', columns }
    }
    default:
      return `error: unable to match a printer suitable for the output format "${text}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n`
  }
}

export interface GetRequest {
  /** The first operand, or every `TYPE/NAME` operand. */
  readonly args: readonly string[]
  readonly output: Output
  readonly namespace: string
  readonly allNamespaces: boolean
  readonly labelSelector: string | undefined
  readonly fieldSelector: string | undefined
  readonly showLabels: boolean
  readonly labelColumns: readonly string[]
  readonly noHeaders: boolean
  readonly sortBy: string | undefined
}

const out = (stdout: string, stderr = '', exitCode = 0): CommandOutput => ({ stdout, stderr, exitCode })

/** Sorts go-yaml and encoding/json print map keys in: the order kubectl's yaml and json show. */
function sortKeys(v: ApiValue): ApiValue {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v === null || typeof v !== 'object') return v
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k]!)])
  )
}

export function printYaml(v: ApiValue): string {
  // go-yaml v2: YAML 1.1 quoting (timestamps, "on"), sequences not indented under their key.
  return toYaml(v, { version: '1.1', indentSeq: false, lineWidth: 0, sortMapEntries: true })
}

export function printJson(v: ApiValue): string {
  return `${JSON.stringify(sortKeys(v), null, 4)}\n`
}

interface Group {
  readonly resource: Resource
  readonly items: Item[]
}

export function kubectlGet(lab: Lab, req: GetRequest): CommandOutput {
  const [first = '', ...rest] = req.args
  const slashForm = req.args.length > 0 && req.args.every((a) => a.includes('/'))
  // Either `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…`, as kubectl's resource builder reads them.
  const wanted: { resource: Resource; names: string[] }[] = []
  if (slashForm) {
    for (const a of req.args) {
      const [type = '', name = ''] = a.split('/')
      const resource = RESOURCES[type]
      if (!resource) return out('', `error: the server doesn't have a resource type "${type}"\n`, 1)
      const entry = wanted.find((w) => w.resource === resource)
      if (entry) entry.names.push(name)
      else wanted.push({ resource, names: [name] })
    }
  } else {
    for (const type of first.split(',')) {
      const resources = type === 'all' ? ALL : RESOURCES[type] ? [RESOURCES[type]] : undefined
      if (!resources) return out('', `error: the server doesn't have a resource type "${type}"\n`, 1)
      for (const resource of resources)
        if (!wanted.some((w) => w.resource === resource)) wanted.push({ resource, names: [...rest] })
    }
  }
  const named = wanted.some((w) => w.names.length > 0)
  if (named && req.labelSelector !== undefined)
    return out('', 'error: name cannot be provided when a selector is specified\n', 1)

  const labels = parseLabelSelector(req.labelSelector ?? '')
  if (!labels.ok) return out('', `Error from server (BadRequest): ${labels.message}\n`, 1)

  let sortSteps: ReturnType<typeof parseTemplate> | undefined
  if (req.sortBy !== undefined) {
    try {
      sortSteps = parseTemplate(relaxedPath(req.sortBy))
    } catch {
      return out('', `error: couldn't parse JSONPath for --sort-by ${req.sortBy}\n`, 1)
    }
  }

  const groups: Group[] = []
  let stderr = ''
  for (const w of wanted) {
    const fields = parseFieldSelector(req.fieldSelector ?? '', w.resource)
    if (!fields.ok) {
      const why = fields.message.startsWith('invalid selector')
        ? fields.message
        : `Unable to find "${GROUP_RESOURCE[w.resource]}" that match label selector "${req.labelSelector ?? ''}", field selector "${req.fieldSelector ?? ''}": ${fields.message}`
      return out('', `Error from server (BadRequest): ${why}\n`, 1)
    }
    const inScope = items(lab, w.resource)
      .filter((x) => x.namespace === undefined || req.allNamespaces || x.namespace === req.namespace)
      // The apiserver lists objects in key order: by namespace, then name (events' names start
      // with their object's, so they come grouped by object, then in time order).
      .sort((a, b) => {
        const ka = `${a.namespace ?? ''}/${a.name}`
        const kb = `${b.namespace ?? ''}/${b.name}`
        return ka < kb ? -1 : ka > kb ? 1 : 0
      })
    let chosen: Item[]
    if (w.names.length > 0) {
      chosen = []
      for (const name of w.names) {
        const found = inScope.find((x) => x.name === name)
        if (found) chosen.push(found)
        else stderr += `Error from server (NotFound): ${w.resource} "${name}" not found\n`
      }
    } else {
      chosen = inScope.filter(
        (x) => matchesLabels(labels.selector, x.labels) && matchesFields(fields.requirements, x.fields)
      )
    }
    if (sortSteps !== undefined) chosen = sortItems(chosen, sortSteps)
    groups.push({ resource: w.resource, items: chosen })
  }

  const exitCode = stderr === '' ? 0 : 1
  const all = groups.flatMap((g) => g.items.map((item) => ({ resource: g.resource, item })))
  if (all.length === 0 && stderr === '') {
    if (req.output.kind === 'yaml' || req.output.kind === 'json' || req.output.kind === 'jsonpath') {
      // Structured printers print the empty List rather than the note.
      return printStructured(req.output, listObject([]), exitCode, stderr)
    }
    const note =
      req.allNamespaces || groups.every((g) => CLUSTER_SCOPED.has(g.resource))
        ? 'No resources found\n'
        : `No resources found in ${req.namespace} namespace.\n`
    return out('', note, 0)
  }

  switch (req.output.kind) {
    case 'name':
      return out(all.map((x) => `${TYPE_PREFIX[x.resource]}/${x.item.name}\n`).join(''), stderr, exitCode)
    case 'yaml':
    case 'json':
    case 'jsonpath': {
      const single = wanted.length === 1 && wanted[0]!.names.length === 1 && all.length === 1
      const data = single ? all[0]!.item.object : listObject(all.map((x) => x.item.object))
      return printStructured(req.output, data, exitCode, stderr)
    }
    case 'custom-columns': {
      const cols = req.output.columns
      const rows = all.map((x) =>
        cols.map((c) => {
          const r = runJsonPath(c.path, x.item.object)
          return r.ok && r.text !== '' ? r.text.split(' ').join(',') : '<none>'
        })
      )
      return out(tabulate(req.noHeaders ? rows : [cols.map((c) => c.header), ...rows]), stderr, exitCode)
    }
    case 'table': {
      const wide = req.output.wide
      const several = groups.length > 1
      const tables = groups
        .filter((g) => g.items.length > 0)
        .map((g) => {
          const namespaced = !CLUSTER_SCOPED.has(g.resource)
          const ns = req.allNamespaces && namespaced
          const nameless = g.resource === 'events'
          const head = [
            ...(ns ? ['NAMESPACE'] : []),
            ...HEADERS[g.resource](wide),
            ...req.labelColumns.map((k) => (k.split('/').pop() ?? k).toUpperCase()),
            ...(req.showLabels ? ['LABELS'] : [])
          ]
          const rows = g.items.map((x) => [
            ...(ns ? [x.namespace ?? ''] : []),
            ...(nameless ? [] : [several ? `${TYPE_PREFIX[g.resource]}/${x.name}` : x.name]),
            ...x.cells(wide),
            ...req.labelColumns.map((k) => x.labels[k] ?? ''),
            ...(req.showLabels ? [labelText(x.labels)] : [])
          ])
          return tabulate(req.noHeaders ? rows : [head, ...rows])
        })
      return out(tables.join('\n'), stderr, exitCode)
    }
  }
}

function printStructured(output: Output, data: ApiObject, exitCode: number, stderr: string): CommandOutput {
  if (output.kind === 'yaml') return out(printYaml(data), stderr, exitCode)
  if (output.kind === 'json') return out(printJson(data), stderr, exitCode)
  if (output.kind !== 'jsonpath') return out('', stderr, exitCode)
  const r = runJsonPath(output.template, data)
  return r.ok ? out(r.text, stderr, exitCode) : out('', `${stderr}error: ${r.message}\n`, 1)
}

/** kubectl's --sort-by: numbers by value, everything else by its printed text; missing values first. */
function sortItems(list: Item[], template: ReturnType<typeof parseTemplate>): Item[] {
  const node = template[0]
  const key = (x: Item): ApiValue | undefined =>
    node?.kind === 'path' ? evaluate([x.object], node.steps)[0] : undefined
  return [...list].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? -1 : 1
    if (typeof ka === 'number' && typeof kb === 'number') return ka - kb
    const sa = printValue(ka)
    const sb = printValue(kb)
    return sa < sb ? -1 : sa > sb ? 1 : 0
  })
}
