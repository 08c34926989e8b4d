/**
 * What the apiserver does with an object a learner sends (`kubectl apply|create|delete -f`,
 * `patch`, `expose`): decode and validate it with the apiserver's field paths and wording, then
 * create, update or delete the lab's object. The caller runs the controllers and kube-proxy
 * afterwards, once per command, as the real ones react to the whole batch.
 */

import { cidrContains, cidrSize, parseCidr } from '../net/cidr.ts'
import { parseIpv4 } from '../net/ipv4.ts'
import { randomInt } from '../net/rng.ts'
import { networkPolicySchema, type ContainerSpec } from '../scenario/scenario.schema.ts'
import { endpointSliceFrom, type KubeEndpointSlice } from './endpoint-slices.ts'
import { findObject, isManifestKind, KINDS, type LiveObject, type ManifestKind } from './kinds.ts'
import type { Lab } from './lab.ts'
import { networkPolicyFromSpec } from './network-policy.ts'
import type { KubeEnvVar, KubeNetworkPolicy, KubePod, KubeService, KubeServicePort } from './objects.ts'
import {
  deleteDeployment,
  deletePodObject,
  deleteReplicaSet,
  startPod,
  type KubeDeployment,
  type PodTemplate
} from './workloads.ts'
import type { SandboxContainerSpec } from './pod-sandbox.ts'

export type Outcome = { ok: true; stdout: string; stderr?: string } | { ok: false; stderr: string }

type Doc = Record<string, unknown>
const isMap = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v)
const mapOf = (v: unknown): Doc => (isMap(v) ? v : {})
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** Go's %#v of a map[string]string, as validation messages quote label maps. */
const goMap = (m: Record<string, string>): string =>
  `map[string]string{${Object.keys(m)
    .sort()
    .map((k) => `"${k}":"${m[k] ?? ''}"`)
    .join(', ')}}`

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

function nameError(kind: ManifestKind, name: string): string | undefined {
  if (kind === 'Service' || kind === 'Namespace') {
    if (DNS1035.test(name) && name.length <= 63) return undefined
    return `metadata.name: Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`
  }
  if (DNS1123.test(name) && name.length <= 63) return undefined
  return `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`
}

/** StatusError's text for Invalid: one cause on the line, several as a list. */
function invalid(kind: ManifestKind, name: string, causes: readonly string[]): string {
  return causes.length === 1
    ? `The ${kind} "${name}" is invalid: ${causes[0]}\n`
    : `The ${kind} "${name}" is invalid: \n${causes.map((c) => `* ${c}`).join('\n')}\n`
}

/** Fields the lab reads; anything else in these places is refused as strict decoding refuses it. */
const KNOWN_FIELDS: Record<string, readonly string[]> = {
  '': ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  EndpointSlice: ['apiVersion', 'kind', 'metadata', 'addressType', 'endpoints', 'ports'],
  'EndpointSlice.endpoints': ['addresses', 'conditions', 'hostname', 'nodeName', 'targetRef', 'zone'],
  'EndpointSlice.ports': ['name', 'port', 'protocol', 'appProtocol'],
  metadata: ['name', 'namespace', 'labels', 'annotations', 'generateName'],
  'Service.spec': [
    'type',
    'selector',
    'ports',
    'clusterIP',
    'clusterIPs',
    'externalTrafficPolicy',
    'internalTrafficPolicy',
    'sessionAffinity',
    'ipFamilies',
    'ipFamilyPolicy'
  ],
  'Service.spec.ports': ['name', 'port', 'targetPort', 'protocol', 'nodePort', 'appProtocol'],
  'Deployment.spec': [
    'replicas',
    'selector',
    'template',
    'strategy',
    'revisionHistoryLimit',
    'minReadySeconds',
    'progressDeadlineSeconds'
  ],
  'ReplicaSet.spec': ['replicas', 'selector', 'template', 'minReadySeconds'],
  'NetworkPolicy.spec': ['podSelector', 'policyTypes', 'ingress', 'egress'],
  'Pod.spec': [
    'containers',
    'nodeName',
    'hostNetwork',
    'shareProcessNamespace',
    'restartPolicy',
    'terminationGracePeriodSeconds',
    'dnsPolicy',
    'hostname',
    'subdomain'
  ],
  container: ['name', 'image', 'ports', 'command', 'args', 'imagePullPolicy', 'env', 'resources'],
  'container.ports': ['containerPort', 'protocol', 'name']
}

function unknownField(kind: ManifestKind, doc: Doc): string | undefined {
  const check = (where: string, path: string, v: unknown): string | undefined => {
    for (const k of Object.keys(mapOf(v)))
      if (!(KNOWN_FIELDS[where] ?? []).includes(k)) return `${path}${path === '' ? '' : '.'}${k}`
    return undefined
  }
  const spec = mapOf(doc['spec'])
  const containersOf = (podSpec: Doc, path: string): string | undefined => {
    for (const [i, c] of listOf(podSpec['containers']).entries()) {
      const bad =
        check('container', `${path}.containers[${i}]`, c) ??
        listOf(mapOf(c)['ports'])
          .map((p, j) => check('container.ports', `${path}.containers[${i}].ports[${j}]`, p))
          .find((x) => x !== undefined)
      if (bad) return bad
    }
    return undefined
  }
  if (kind === 'EndpointSlice')
    return (
      check('EndpointSlice', '', doc) ??
      check('metadata', 'metadata', doc['metadata']) ??
      listOf(doc['endpoints'])
        .map((e, i) => check('EndpointSlice.endpoints', `endpoints[${i}]`, e))
        .find((x) => x !== undefined) ??
      listOf(doc['ports'])
        .map((p, i) => check('EndpointSlice.ports', `ports[${i}]`, p))
        .find((x) => x !== undefined)
    )
  const first =
    check('', '', doc) ??
    check('metadata', 'metadata', doc['metadata']) ??
    check(`${kind}.spec`, 'spec', spec)
  if (first) return first
  if (kind === 'Service')
    return listOf(spec['ports'])
      .map((p, i) => check('Service.spec.ports', `spec.ports[${i}]`, p))
      .find((x) => x !== undefined)
  if (kind === 'Pod') return containersOf(spec, 'spec')
  if (kind === 'Deployment' || kind === 'ReplicaSet') {
    const podSpec = mapOf(mapOf(spec['template'])['spec'])
    return check('Pod.spec', 'spec.template.spec', podSpec) ?? containersOf(podSpec, 'spec.template.spec')
  }
  return undefined
}

/**
 * What a container runs, from its image and ports: the lab's own images say it, and any other
 * image with a TCP port serves HTTP on it (what tutorials' nginx does), with a UDP port echoes,
 * and without one sleeps.
 */
/** `env` entries with a value or a pod field; others (configMapKeyRef, …) the lab leaves out. */
function envOf(c: Doc): KubeEnvVar[] {
  return listOf(c['env']).flatMap((item): KubeEnvVar[] => {
    const e = mapOf(item)
    if (typeof e['name'] !== 'string') return []
    const fieldPath = mapOf(mapOf(e['valueFrom'])['fieldRef'])['fieldPath']
    if (typeof fieldPath === 'string') return [{ name: e['name'], fieldPath }]
    return e['valueFrom'] === undefined ? [{ name: e['name'], value: String(e['value'] ?? '') }] : []
  })
}

function containerSpec(c: Doc): SandboxContainerSpec {
  const env = envOf(c)
  const image = typeof c['image'] === 'string' ? c['image'] : ''
  const port = mapOf(listOf(c['ports'])[0])
  const number = typeof port['containerPort'] === 'number' ? port['containerPort'] : undefined
  const own = /^podnet\/(http|tcp-echo|udp-echo)(:|$)/.exec(image)?.[1] as ContainerSpec['app'] | undefined
  const app: ContainerSpec['app'] =
    own ?? (number === undefined ? 'sleep' : port['protocol'] === 'UDP' ? 'udp-echo' : 'http')
  return {
    name: String(c['name']),
    image,
    app,
    ...(number === undefined ? (own ? { port: 8080 } : {}) : { port: number }),
    ...(env.length === 0 ? {} : { env })
  }
}

function containersErrors(podSpec: Doc, path: string): string[] {
  const containers = listOf(podSpec['containers'])
  if (containers.length === 0) return [`${path}.containers: Required value`]
  const errors: string[] = []
  containers.forEach((c, i) => {
    const m = mapOf(c)
    if (typeof m['name'] !== 'string' || m['name'] === '')
      errors.push(`${path}.containers[${i}].name: Required value`)
    if (typeof m['image'] !== 'string' || m['image'] === '')
      errors.push(`${path}.containers[${i}].image: Required value`)
    listOf(m['ports']).forEach((p, j) => {
      const n = mapOf(p)['containerPort']
      if (typeof n !== 'number' || n < 1 || n > 65535)
        errors.push(
          `${path}.containers[${i}].ports[${j}].containerPort: ${n === undefined ? 'Required value' : `Invalid value: ${String(n)}: must be between 1 and 65535, inclusive`}`
        )
    })
  })
  return errors
}

const stringMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(mapOf(v)).map(([k, x]) => [k, String(x)]))

export interface Context {
  lab: Lab
  file: string
  /** The namespace of the command (`-n`, else default). */
  namespace: string
  /** Whether `-n` was given: then a manifest's own namespace must agree with it. */
  namespaceGiven: boolean
}

interface Identified {
  kind: ManifestKind
  name: string
  namespace: string
  doc: Doc
}

/** Reads kind, name and namespace the way kubectl's resource builder does before it sends anything. */
function identify(ctx: Context, raw: unknown): Identified | { error: string } {
  const doc = mapOf(raw)
  const validation = (what: string): { error: string } => ({
    error: `error: error validating "${ctx.file}": error validating data: ${what}; if you choose to ignore these errors, turn validation off with --validate=false\n`
  })
  if (typeof doc['apiVersion'] !== 'string' || doc['apiVersion'] === '')
    return validation('apiVersion not set')
  if (typeof doc['kind'] !== 'string' || doc['kind'] === '') return validation('kind not set')
  const kind = doc['kind'] as ManifestKind
  const meta = mapOf(doc['metadata'])
  const name = typeof meta['name'] === 'string' ? meta['name'] : ''
  if (!isManifestKind(kind) || KINDS[kind].apiVersion !== doc['apiVersion'])
    return {
      error: `error: resource mapping not found for name: "${name}" namespace: "${typeof meta['namespace'] === 'string' ? meta['namespace'] : ''}" from "${ctx.file}": no matches for kind "${doc['kind']}" in version "${doc['apiVersion']}"\nensure CRDs are installed first\n`
    }
  const own = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined
  if (kind !== 'Namespace' && own !== undefined && ctx.namespaceGiven && own !== ctx.namespace)
    return {
      error: `error: the namespace from the provided object "${own}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${own}' to perform this operation.\n`
    }
  const namespace = kind === 'Namespace' ? '' : (own ?? ctx.namespace)
  if (name === '') {
    const version = KINDS[kind].apiVersion
    const group = version.includes('/') ? version : `/${version}`
    return {
      error: `error: error when retrieving current configuration of:\nResource: "${group}, Resource=${KINDS[kind].resource.split('.')[0]}", GroupVersionKind: "${group}, Kind=${kind}"\nName: "", Namespace: "${namespace}"\nfrom server for: "${ctx.file}": resource name may not be empty\n`
    }
  }
  return { kind, name, namespace, doc }
}

/**
 * The NetworkPolicy a manifest describes, checked against the scenario's schema for the same
 * spec, so that a policy the lab cannot hold is refused with the field that is wrong.
 */
function networkPolicyFrom(lab: Lab, id: Identified): KubeNetworkPolicy | { causes: string[] } {
  const spec = mapOf(id.doc['spec'])
  if (spec['podSelector'] === undefined) spec['podSelector'] = {}
  const parsed = networkPolicySchema.safeParse({ ...spec, name: id.name, namespace: id.namespace })
  if (!parsed.success)
    return {
      causes: parsed.error.issues.map(
        (i) =>
          `spec${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}: Invalid value: ${i.message}`
      )
    }
  return networkPolicyFromSpec(parsed.data, lab.clock.nowMs)
}

/** The apiserver's ClusterIP allocator: a random free address in the upper band of the range. */
function allocateClusterIp(lab: Lab): number {
  const net = parseCidr(lab.scenario.cluster.serviceCIDR)!
  const size = cidrSize(net)
  const lowBand = Math.min(Math.max(16, Math.floor(size / 16)), 256)
  const taken = new Set(lab.services.filter((s) => !s.headless).map((s) => s.clusterIP))
  for (;;) {
    const ip = (net.network + randomInt(lab.rng, lowBand, size - 2)) >>> 0
    if (!taken.has(ip)) return ip
  }
}

function allocateNodePort(lab: Lab, taken: Set<number>): number {
  for (;;) {
    const port = randomInt(lab.rng, 30000, 32767)
    if (!taken.has(port)) return port
  }
}

/** The Service a manifest describes, validated as the apiserver validates it; `live` on update. */
function serviceFrom(
  lab: Lab,
  id: Identified,
  live: KubeService | undefined
): KubeService | { causes: string[] } {
  const spec = mapOf(id.doc['spec'])
  const causes: string[] = []
  const type = spec['type'] ?? 'ClusterIP'
  if (type !== 'ClusterIP' && type !== 'NodePort') {
    if (type === 'LoadBalancer' || type === 'ExternalName')
      causes.push(
        `spec.type: Unsupported value: "${String(type)}": the lab's cluster has no load balancer or external DNS`
      )
    else
      causes.push(
        `spec.type: Unsupported value: "${String(type)}": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`
      )
  }
  const headless = spec['clusterIP'] === 'None'
  if (headless && type === 'NodePort')
    causes.push(`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`)
  const serviceNet = parseCidr(lab.scenario.cluster.serviceCIDR)!
  let clusterIP: number | undefined
  if (!headless && typeof spec['clusterIP'] === 'string' && spec['clusterIP'] !== '') {
    const text = spec['clusterIP']
    const ip = parseIpv4(text)
    if (ip === undefined)
      causes.push(
        `spec.clusterIPs[0]: Invalid value: "${text}": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`
      )
    else if (live && (live.headless || live.clusterIP !== ip))
      causes.push(`spec.clusterIPs[0]: Invalid value: []string{"${text}"}: may not change once set`)
    else if (!live && !cidrContains(serviceNet, ip))
      causes.push(
        `spec.clusterIPs: Invalid value: []string{"${text}"}: failed to allocate IP ${text}: provided IP is not in the valid range. The range of valid IPs is ${lab.scenario.cluster.serviceCIDR}`
      )
    else if (!live && lab.services.some((s) => !s.headless && s.clusterIP === ip))
      causes.push(
        `spec.clusterIPs: Invalid value: []string{"${text}"}: failed to allocate IP ${text}: provided IP is already allocated`
      )
    else clusterIP = ip
  } else if (
    live &&
    live.headless !== (headless || undefined) &&
    (live.headless || spec['clusterIP'] !== undefined)
  )
    causes.push(
      `spec.clusterIPs[0]: Invalid value: []string{"${headless ? 'None' : ''}"}: may not change once set`
    )
  const rawPorts = listOf(spec['ports'])
  if (rawPorts.length === 0 && !headless) causes.push('spec.ports: Required value')
  const takenNodePorts = new Set(
    lab.services
      .filter((s) => s !== live)
      .flatMap((s) => s.ports.flatMap((p) => (p.nodePort ? [p.nodePort] : [])))
  )
  const ports: KubeServicePort[] = []
  rawPorts.forEach((raw, i) => {
    const p = mapOf(raw)
    const at = `spec.ports[${i}]`
    const port = typeof p['port'] === 'number' ? p['port'] : 0
    if (port < 1 || port > 65535)
      causes.push(`${at}.port: Invalid value: ${port}: must be between 1 and 65535, inclusive`)
    const target = p['targetPort'] ?? port
    if (typeof target === 'string')
      causes.push(
        `${at}.targetPort: Invalid value: "${target}": the lab's Services take a numeric targetPort`
      )
    else if (typeof target === 'number' && (target < 1 || target > 65535))
      causes.push(`${at}.targetPort: Invalid value: ${target}: must be between 1 and 65535, inclusive`)
    const protocol = p['protocol'] ?? 'TCP'
    if (protocol !== 'TCP' && protocol !== 'UDP')
      causes.push(
        `${at}.protocol: Unsupported value: "${String(protocol)}": supported values: "SCTP", "TCP", "UDP"`
      )
    if (rawPorts.length > 1 && (typeof p['name'] !== 'string' || p['name'] === ''))
      causes.push(`${at}.name: Required value`)
    let nodePort = typeof p['nodePort'] === 'number' ? p['nodePort'] : undefined
    if (nodePort !== undefined && type === 'ClusterIP')
      causes.push(`${at}.nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'`)
    else if (nodePort !== undefined && (nodePort < 30000 || nodePort > 32767))
      causes.push(
        `${at}.nodePort: Invalid value: ${nodePort}: provided port is not in the valid range. The range of valid ports is 30000-32767`
      )
    else if (nodePort !== undefined && takenNodePorts.has(nodePort))
      causes.push(`${at}.nodePort: Invalid value: ${nodePort}: provided port is already allocated`)
    if (type === 'NodePort' && nodePort === undefined) {
      nodePort = live?.ports.find((x) => x.port === port && x.protocol === protocol)?.nodePort
      nodePort ??= allocateNodePort(lab, takenNodePorts)
    }
    if (nodePort !== undefined) takenNodePorts.add(nodePort)
    ports.push({
      ...(typeof p['name'] === 'string' ? { name: p['name'] } : {}),
      port,
      targetPort: typeof target === 'number' ? target : port,
      protocol: protocol === 'UDP' ? 'UDP' : 'TCP',
      ...(type === 'NodePort' && nodePort !== undefined ? { nodePort } : {})
    })
  })
  const etp = spec['externalTrafficPolicy']
  if (etp !== undefined && type === 'ClusterIP')
    causes.push(
      `spec.externalTrafficPolicy: Invalid value: "${String(etp)}": may only be set when \`type\` is 'NodePort' or 'LoadBalancer'`
    )
  else if (etp !== undefined && etp !== 'Cluster' && etp !== 'Local')
    causes.push(
      `spec.externalTrafficPolicy: Unsupported value: "${String(etp)}": supported values: "Cluster", "Local"`
    )
  const affinity = spec['sessionAffinity'] ?? 'None'
  if (affinity !== 'None' && affinity !== 'ClientIP')
    causes.push(
      `spec.sessionAffinity: Unsupported value: "${String(affinity)}": supported values: "ClientIP", "None"`
    )
  if (causes.length > 0) return { causes }
  return {
    name: id.name,
    namespace: id.namespace,
    type: type as KubeService['type'],
    ...(affinity === 'ClientIP' && !headless ? { sessionAffinity: 'ClientIP' as const } : {}),
    clusterIP: headless ? 0 : (clusterIP ?? live?.clusterIP ?? allocateClusterIp(lab)),
    ...(headless ? { headless: true as const } : {}),
    ports,
    selector: stringMap(spec['selector']),
    externalTrafficPolicy: etp === 'Local' ? 'Local' : 'Cluster',
    createdAt: live?.createdAt ?? lab.clock.nowMs
  }
}

interface WorkloadSpec {
  replicas: number
  selector: Record<string, string>
  template: PodTemplate
}

function workloadFrom(
  id: Identified,
  liveSelector: Record<string, string> | undefined
): WorkloadSpec | { causes: string[] } {
  const spec = mapOf(id.doc['spec'])
  const causes: string[] = []
  const replicas = spec['replicas'] ?? 1
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
    causes.push(`spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`)
  const selectorDoc = mapOf(spec['selector'])
  if (selectorDoc['matchExpressions'] !== undefined)
    causes.push(
      "spec.selector.matchExpressions: Invalid value: the lab's workloads select with matchLabels only"
    )
  const selector = stringMap(selectorDoc['matchLabels'])
  const template = mapOf(spec['template'])
  const labels = stringMap(mapOf(template['metadata'])['labels'])
  if (Object.keys(selector).length === 0) causes.push('spec.selector: Required value')
  if (Object.keys(selector).length === 0 || !Object.entries(selector).every(([k, v]) => labels[k] === v))
    causes.push(
      `spec.template.metadata.labels: Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``
    )
  if (
    liveSelector &&
    JSON.stringify(liveSelector) !== JSON.stringify(selector) &&
    Object.keys(selector).length > 0
  )
    causes.push(
      `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:${goMap(selector)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`
    )
  const podSpec = mapOf(template['spec'])
  causes.push(...containersErrors(podSpec, 'spec.template.spec'))
  if (causes.length > 0) return { causes }
  return {
    replicas: replicas as number,
    selector,
    template: { labels, containers: listOf(podSpec['containers']).map((c) => containerSpec(mapOf(c))) }
  }
}

/** The lab names each pod's network namespace after the pod, so a pod may not take a host's name. */
function podNameClash(lab: Lab, name: string): string | undefined {
  const pod = lab.pods.find((p) => p.netns === name)
  if (pod || !lab.netns.has(name))
    return pod
      ? `error: the lab keeps one pod named "${name}" in all namespaces; ${pod.namespace} has it\n`
      : undefined
  return `error: the lab names a pod's network namespace after the pod, and "${name}" is a host's; choose another name\n`
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

export type Mode = 'apply' | 'create' | 'replace'

const LAST_APPLIED_MISSING = (resource: string, name: string): string =>
  `Warning: resource ${resource}/${name} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`

/**
 * Creates or updates one object. `apply` answers created/configured/unchanged, `create`
 * refuses an existing object, `replace` (what `patch` sends) updates one that must exist.
 */
export function putObject(ctx: Context, raw: unknown, mode: Mode): Outcome {
  const { lab } = ctx
  const id = identify(ctx, raw)
  if ('error' in id) return { ok: false, stderr: id.error }
  const verb = mode === 'create' || mode === 'apply' ? 'creating' : 'patching'
  const unknown = unknownField(id.kind, id.doc)
  if (unknown)
    return {
      ok: false,
      stderr: `Error from server (BadRequest): error when ${verb} "${ctx.file}": ${id.kind} in version "${KINDS[id.kind].apiVersion.split('/').pop()}" cannot be handled as a ${id.kind}: strict decoding error: unknown field "${unknown}"\n`
    }
  const badName = nameError(id.kind, id.name)
  if (badName) return { ok: false, stderr: invalid(id.kind, id.name, [badName]) }
  if (id.kind !== 'Namespace' && !lab.namespaces.some((n) => n.name === id.namespace))
    return {
      ok: false,
      stderr: `Error from server (NotFound): error when ${verb} "${ctx.file}": namespaces "${id.namespace}" not found\n`
    }
  const live = findObject(lab, id.kind, id.namespace, id.name)
  const prefix = `${KINDS[id.kind].prefix}/${id.name}`
  if (live && mode === 'create')
    return {
      ok: false,
      stderr: `Error from server (AlreadyExists): error when creating "${ctx.file}": ${KINDS[id.kind].resource} "${id.name}" already exists\n`
    }
  const key = `${id.kind}/${id.namespace}/${id.name}`
  const applied = JSON.stringify(id.doc)
  const previous = lab.lastApplied.get(key)
  const result = live ? update(ctx, id, live) : create(ctx, id)
  if ('causes' in result) return { ok: false, stderr: invalid(id.kind, id.name, result.causes) }
  if ('error' in result) return { ok: false, stderr: result.error }
  if (mode === 'apply') lab.lastApplied.set(key, applied)
  if (!live) return { ok: true, stdout: `${prefix} created\n` }
  if (mode === 'replace')
    return { ok: true, stdout: `${prefix} patched${result.changed ? '' : ' (no change)'}\n` }
  if (!result.changed && previous === applied) return { ok: true, stdout: `${prefix} unchanged\n` }
  return {
    ok: true,
    stdout: `${prefix} configured\n`,
    ...(previous === undefined
      ? { stderr: LAST_APPLIED_MISSING(KINDS[id.kind].resource.split('.')[0]!, id.name) }
      : {})
  }
}

type Change = { changed: boolean } | { causes: string[] } | { error: string }

function create(ctx: Context, id: Identified): Change {
  const { lab } = ctx
  switch (id.kind) {
    case 'Namespace':
      lab.namespaces.push({ name: id.name, createdAt: lab.clock.nowMs })
      lab.namespaces.sort((a, b) => (a.name < b.name ? -1 : 1))
      return { changed: true }
    case 'Service': {
      const svc = serviceFrom(lab, id, undefined)
      if ('causes' in svc) return svc
      lab.services.push(svc)
      return { changed: true }
    }
    case 'Pod': {
      const spec = mapOf(id.doc['spec'])
      const causes = containersErrors(spec, 'spec')
      const node = spec['nodeName']
      if (node !== undefined && !lab.nodes.some((n) => n.name === node))
        causes.push(`spec.nodeName: Invalid value: "${String(node)}": the lab's cluster has no such node`)
      if (causes.length > 0) return { causes }
      const clash = podNameClash(lab, id.name)
      if (clash) return { error: clash }
      const pod = startPod(lab, {
        name: id.name,
        namespace: id.namespace,
        ...(typeof node === 'string' ? { node } : {}),
        labels: stringMap(mapOf(id.doc['metadata'])['labels']),
        shareProcessNamespace: spec['shareProcessNamespace'] === true,
        hostNetwork: spec['hostNetwork'] === true,
        containers: listOf(spec['containers']).map((c) => containerSpec(mapOf(c)))
      })
      pod.bare = true
      if (typeof spec['hostname'] === 'string') pod.hostname = spec['hostname']
      if (typeof spec['subdomain'] === 'string') pod.subdomain = spec['subdomain']
      return { changed: true }
    }
    case 'EndpointSlice': {
      const slice = endpointSliceFrom(lab, id.name, id.namespace, id.doc)
      if ('causes' in slice) return slice
      lab.endpointSlices.push(slice)
      return { changed: true }
    }
    case 'Deployment':
    case 'ReplicaSet': {
      const w = workloadFrom(id, undefined)
      if ('causes' in w) return w
      if (id.kind === 'Deployment')
        lab.deployments.push({
          name: id.name,
          namespace: id.namespace,
          ...w,
          createdAt: lab.clock.nowMs,
          generation: 1
        })
      else
        lab.replicaSets.push({
          name: id.name,
          namespace: id.namespace,
          ...w,
          createdAt: lab.clock.nowMs,
          revision: 0
        })
      return { changed: true }
    }
    case 'NetworkPolicy': {
      const policy = networkPolicyFrom(lab, id)
      if ('causes' in policy) return policy
      lab.networkPolicies.push(policy)
      return { changed: true }
    }
  }
}

function update(ctx: Context, id: Identified, live: LiveObject): Change {
  const { lab } = ctx
  switch (id.kind) {
    case 'Namespace':
      return { changed: false }
    case 'EndpointSlice': {
      const slice = live as KubeEndpointSlice
      const next = endpointSliceFrom(lab, id.name, id.namespace, id.doc)
      if ('causes' in next) return next
      const changed = !sameJson({ ...slice, createdAt: 0 }, { ...next, createdAt: 0 })
      Object.assign(slice, next, { createdAt: slice.createdAt })
      return { changed }
    }
    case 'Service': {
      const svc = live as KubeService
      if (svc.fixedEndpoints) return { changed: false }
      const next = serviceFrom(lab, id, svc)
      if ('causes' in next) return next
      const changed = !sameJson({ ...svc, createdAt: 0 }, { ...next, createdAt: 0 })
      Object.assign(svc, next)
      if (!next.headless) delete svc.headless
      if (!next.sessionAffinity) delete svc.sessionAffinity
      return { changed }
    }
    case 'Pod': {
      const pod = live as KubePod
      const spec = mapOf(id.doc['spec'])
      const containers = listOf(spec['containers']).map((c) => containerSpec(mapOf(c)))
      // The apiserver lets a pod's image change in place and nothing else of what the lab keeps.
      const same = containers.every(
        (c, i) =>
          pod.containers[i]?.name === c.name &&
          pod.containers[i]?.image === c.image &&
          pod.containers[i]?.port === c.port &&
          JSON.stringify(pod.containers[i]?.env ?? []) === JSON.stringify(c.env ?? [])
      )
      if (
        !same ||
        containers.length !== pod.containers.length ||
        (spec['hostNetwork'] === true) !== pod.hostNetwork
      )
        return {
          causes: [
            'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'
          ]
        }
      const labels = stringMap(mapOf(id.doc['metadata'])['labels'])
      const changed = !sameJson(labels, pod.labels)
      pod.labels = labels
      return { changed }
    }
    case 'Deployment':
    case 'ReplicaSet': {
      const target = live as KubeDeployment | (WorkloadSpec & { selector: Record<string, string> })
      const w = workloadFrom(id, target.selector)
      if ('causes' in w) return w
      const changed = target.replicas !== w.replicas || !sameJson(target.template, w.template)
      target.replicas = w.replicas
      target.template = w.template
      if (changed && 'generation' in target) target.generation++
      return { changed }
    }
    case 'NetworkPolicy': {
      const policy = live as KubeNetworkPolicy
      const next = networkPolicyFrom(lab, id)
      if ('causes' in next) return next
      const changed = !sameJson({ ...policy, createdAt: 0 }, { ...next, createdAt: 0 })
      Object.assign(policy, { ...next, createdAt: policy.createdAt })
      if (next.ingress === undefined) delete policy.ingress
      if (next.egress === undefined) delete policy.egress
      return { changed }
    }
  }
}

/** `kubectl delete -f`: one object, with the garbage collector's cascade. */
export function deleteObject(ctx: Context, raw: unknown): Outcome {
  const { lab } = ctx
  const id = identify(ctx, raw)
  if ('error' in id) return { ok: false, stderr: id.error }
  const live = findObject(lab, id.kind, id.namespace, id.name)
  if (!live)
    return {
      ok: false,
      stderr: `Error from server (NotFound): error when deleting "${ctx.file}": ${KINDS[id.kind].resource} "${id.name}" not found\n`
    }
  const refused = removeObject(lab, id.kind, live)
  if (refused) return { ok: false, stderr: refused }
  lab.lastApplied.delete(`${id.kind}/${id.namespace}/${id.name}`)
  return { ok: true, stdout: `${KINDS[id.kind].prefix} "${id.name}" deleted\n` }
}

/** Deletes a live object (and what it owns); a refusal's text when the apiserver refuses. */
export function removeObject(lab: Lab, kind: ManifestKind, live: LiveObject): string | undefined {
  switch (kind) {
    case 'EndpointSlice':
      lab.endpointSlices = lab.endpointSlices.filter((x) => x !== live)
      return undefined
    case 'Namespace': {
      const ns = live as { name: string }
      if (['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(ns.name))
        return `Error from server (Forbidden): namespaces "${ns.name}" is forbidden: this namespace may not be deleted\n`
      for (const d of lab.deployments.filter((x) => x.namespace === ns.name)) deleteDeployment(lab, d)
      for (const rs of lab.replicaSets.filter((x) => x.namespace === ns.name)) deleteReplicaSet(lab, rs)
      for (const p of lab.pods.filter((x) => x.namespace === ns.name)) deletePodObject(lab, p)
      lab.services = lab.services.filter((s) => s.namespace !== ns.name)
      lab.endpointSlices = lab.endpointSlices.filter((s) => s.namespace !== ns.name)
      lab.namespaces = lab.namespaces.filter((n) => n !== ns)
      return undefined
    }
    case 'Service':
      // The apiserver recreates its own Service at once, with the same address.
      if (!(live as KubeService).fixedEndpoints) lab.services = lab.services.filter((s) => s !== live)
      return undefined
    case 'Pod':
      deletePodObject(lab, live as KubePod)
      return undefined
    case 'Deployment':
      deleteDeployment(lab, live as KubeDeployment)
      return undefined
    case 'ReplicaSet':
      deleteReplicaSet(lab, live as never)
      return undefined
    case 'NetworkPolicy':
      lab.networkPolicies = lab.networkPolicies.filter((p) => p !== live)
      return undefined
  }
}

function templateManifest(t: PodTemplate): Doc {
  return {
    metadata: { labels: { ...t.labels } },
    spec: {
      containers: t.containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        ...(c.port === undefined
          ? {}
          : { ports: [{ containerPort: c.port, protocol: c.app === 'udp-echo' ? 'UDP' : 'TCP' }] })
      }))
    }
  }
}

/** A live object in the form a manifest has, for `kubectl patch` to patch and send back. */
export function manifestOf(kind: Exclude<ManifestKind, 'Namespace' | 'Service'>, live: object): Doc {
  const o = live as { name: string; namespace: string }
  const metadata = { name: o.name, namespace: o.namespace }
  if (kind === 'NetworkPolicy') {
    const { podSelector, policyTypes, ingress, egress } = live as KubeNetworkPolicy
    return {
      apiVersion: KINDS.NetworkPolicy.apiVersion,
      kind,
      metadata,
      spec: JSON.parse(JSON.stringify({ podSelector, policyTypes, ingress, egress })) as Doc
    }
  }
  if (kind === 'Pod') {
    const pod = live as KubePod
    const t = templateManifest({
      labels: pod.labels,
      containers: pod.containers.map((c) => ({
        name: c.name,
        image: c.image,
        // A manifest names no app; CoreDNS's server is started by its own controller.
        app: c.app === 'coredns' ? 'sleep' : c.app,
        ...(c.port === undefined ? {} : { port: c.port })
      }))
    })
    return {
      apiVersion: 'v1',
      kind,
      metadata: { ...metadata, labels: { ...pod.labels } },
      spec: { ...mapOf(t['spec']), nodeName: pod.node }
    }
  }
  const w = live as WorkloadSpec
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata,
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: { ...w.selector } },
      template: templateManifest(w.template)
    }
  }
}
