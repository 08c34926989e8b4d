/**
 * EndpointSlices a learner writes (discovery.k8s.io/v1): the way to give a Service without a
 * selector its backends. kube-proxy reads every slice labelled `kubernetes.io/service-name`
 * with the Service's name, whoever wrote it, and matches each Service port to the slice port of
 * the same name and protocol; an endpoint counts unless its `conditions.ready` is false.
 */

import { formatIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.ts'
import type { Lab } from './lab.ts'
import type { KubeEndpoint, KubeService, KubeServicePort } from './objects.ts'

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'

export interface KubeEndpointSlice {
  name: string
  namespace: string
  labels: Record<string, string>
  endpoints: {
    /** kube-proxy uses the first address of each endpoint, as the API defines. */
    addresses: Ipv4[]
    /** An absent `conditions.ready` is ready. */
    ready: boolean
    nodeName?: string
    /** The pod in targetRef, when the writer named one. */
    pod?: string
  }[]
  /** Empty: no ports at all (`<unset>`), so no Service port finds its endpoints here. */
  ports: { name: string; port: number; protocol: 'TCP' | 'UDP' }[]
  createdAt: number
}

type Doc = Record<string, unknown>
const isMap = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v)
const mapOf = (v: unknown): Doc => (isMap(v) ? v : {})
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** The slice a manifest describes, or the causes the apiserver's validation gives, in its words. */
export function endpointSliceFrom(
  lab: Lab,
  name: string,
  namespace: string,
  doc: Doc
): KubeEndpointSlice | { causes: string[] } {
  const causes: string[] = []
  const addressType = doc['addressType']
  if (addressType === undefined || addressType === '') causes.push('addressType: Required value')
  else if (addressType === 'IPv6' || addressType === 'FQDN')
    causes.push(`addressType: Unsupported value: "${String(addressType)}": the lab's cluster is IPv4 only`)
  else if (addressType !== 'IPv4')
    causes.push(
      `addressType: Unsupported value: "${String(addressType)}": supported values: "FQDN", "IPv4", "IPv6"`
    )
  const endpoints: KubeEndpointSlice['endpoints'] = []
  listOf(doc['endpoints']).forEach((raw, i) => {
    const e = mapOf(raw)
    const at = `endpoints[${i}].addresses`
    const texts = listOf(e['addresses'])
    if (texts.length === 0) causes.push(`${at}: Required value: must contain at least 1 address`)
    const addresses: Ipv4[] = []
    texts.forEach((t, j) => {
      const ip = typeof t === 'string' ? parseIpv4(t) : undefined
      if (ip === undefined)
        causes.push(`${at}[${j}]: Invalid value: "${String(t)}": must be a valid IPv4 address`)
      else addresses.push(ip)
    })
    const nodeName = e['nodeName']
    const ref = mapOf(e['targetRef'])
    endpoints.push({
      addresses,
      ready: mapOf(e['conditions'])['ready'] !== false,
      ...(typeof nodeName === 'string' ? { nodeName } : {}),
      ...(ref['kind'] === 'Pod' && typeof ref['name'] === 'string' ? { pod: ref['name'] } : {})
    })
  })
  const ports: KubeEndpointSlice['ports'] = []
  const names = new Set<string>()
  listOf(doc['ports']).forEach((raw, i) => {
    const p = mapOf(raw)
    const at = `ports[${i}]`
    const portName = typeof p['name'] === 'string' ? p['name'] : ''
    if (portName !== '' && !DNS1123_LABEL.test(portName))
      causes.push(
        `${at}.name: Invalid value: "${portName}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
      )
    if (names.has(portName)) causes.push(`${at}.name: Duplicate value: "${portName}"`)
    names.add(portName)
    const protocol = p['protocol'] ?? 'TCP'
    if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')
      causes.push(
        `${at}.protocol: Unsupported value: "${String(protocol)}": supported values: "SCTP", "TCP", "UDP"`
      )
    const port = p['port']
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
      causes.push(`${at}.port: Invalid value: ${String(port)}: must be between 1 and 65535, inclusive`)
    else if (protocol === 'TCP' || protocol === 'UDP') ports.push({ name: portName, port, protocol })
  })
  if (causes.length > 0) return { causes }
  const labels = Object.fromEntries(
    Object.entries(mapOf(mapOf(doc['metadata'])['labels'])).map(([k, v]) => [k, String(v)])
  )
  return { name, namespace, labels, endpoints, ports, createdAt: lab.clock.nowMs }
}

/** The backends the slices written for `svc` give one of its ports, as kube-proxy reads them. */
export function sliceEndpoints(lab: Lab, svc: KubeService, port: KubeServicePort): KubeEndpoint[] {
  const out: KubeEndpoint[] = []
  for (const slice of lab.endpointSlices) {
    if (slice.namespace !== svc.namespace || slice.labels[SERVICE_NAME_LABEL] !== svc.name) continue
    const match = slice.ports.find((p) => p.name === (port.name ?? '') && p.protocol === port.protocol)
    if (!match) continue
    for (const e of slice.endpoints)
      if (e.ready && e.addresses[0] !== undefined)
        out.push({ ip: e.addresses[0], port: match.port, pod: e.pod ?? '', node: e.nodeName ?? '' })
  }
  return out
}

/** `kubectl get endpointslices` cells past the name: ADDRESSTYPE, PORTS, ENDPOINTS. */
export function sliceColumns(slice: KubeEndpointSlice): { ports: string; addresses: string[] } {
  return {
    ports: slice.ports.length === 0 ? '<unset>' : slice.ports.map((p) => String(p.port)).join(','),
    addresses: slice.endpoints.flatMap((e) => e.addresses.map(formatIpv4))
  }
}
