import { base32, hashName16, sha256 } from '../net/sha256.ts'
import type { KubeService, KubeServicePort } from './objects.ts'

/** `namespace/name:portName` (or `namespace/name` for an unnamed port): kube-proxy's ServicePortName. */
export function servicePortName(svc: KubeService, port: KubeServicePort): string {
  return `${svc.namespace}/${svc.name}${port.name ? `:${port.name}` : ''}`
}

/** iptables chain suffix for a Service port: base32(sha256(servicePortName + protocol))[:16]. */
export function servicePortHash(svc: KubeService, port: KubeServicePort): string {
  return hashName16(servicePortName(svc, port) + port.protocol.toLowerCase())
}

/** KUBE-SEP suffix: the same hash over servicePortName + protocol + `ip:port`. */
export function endpointHash(svc: KubeService, port: KubeServicePort, endpoint: string): string {
  return hashName16(servicePortName(svc, port) + port.protocol.toLowerCase() + endpoint)
}

function hashAndTruncate(name: string): string {
  const full = `${base32(sha256(name)).slice(0, 8)}-${name}`
  return full.length > 205 ? `${full.slice(0, 202)}...` : full
}

/** nftables mode chain base: `HASH8-ns/name/proto/portName`. */
export function nftServiceChainBase(svc: KubeService, port: KubeServicePort): string {
  return hashAndTruncate(`${svc.namespace}/${svc.name}/${port.protocol.toLowerCase()}/${port.name ?? ''}`)
}

/** nftables mode endpoint chain base: `HASH8-ns/name/proto/portName__ip/port`. */
export function nftEndpointChainBase(svc: KubeService, port: KubeServicePort, endpoint: string): string {
  return hashAndTruncate(
    `${svc.namespace}/${svc.name}/${port.protocol.toLowerCase()}/${port.name ?? ''}__${endpoint.replace(/:/g, '/')}`
  )
}
