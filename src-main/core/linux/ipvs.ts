import type { Ipv4 } from '../net/ipv4.ts'

export interface IpvsRealServer {
  ip: Ipv4
  port: number
  weight: number
  activeConn: number
  inactConn: number
}

/** An IPVS virtual service (`ipvsadm -Ln`): kube-proxy makes one per ClusterIP/NodePort and port. */
export interface IpvsService {
  proto: 'TCP' | 'UDP'
  vip: Ipv4
  port: number
  scheduler: 'rr'
  realServers: IpvsRealServer[]
  /** Round-robin position: index of the real server that gets the next connection. */
  rrNext: number
  /**
   * `-p SECONDS` (kube-proxy sets it for sessionAffinity ClientIP): a client's new connections
   * go to the real server its template names while the template lives.
   */
  persistent?: { timeoutSeconds: number; templates: Map<Ipv4, IpvsTemplate> }
}

/** A persistence template (`ipvsadm -Lnc` shows it with port 0): client → real server. */
export interface IpvsTemplate {
  server: IpvsRealServer
  expiresAtMs: number
}

/**
 * The real server for a client's new connection: the one its live template names, or the
 * scheduler's next (which then gets a template). Every connection restarts the template's timer.
 */
export function scheduleRealServer(vs: IpvsService, client: Ipv4, nowMs: number): IpvsRealServer | undefined {
  if (vs.realServers.length === 0) return undefined
  const persist = vs.persistent
  const held = persist?.templates.get(client)
  let server =
    held && held.expiresAtMs > nowMs && vs.realServers.includes(held.server) ? held.server : undefined
  if (!server) {
    server = vs.realServers[vs.rrNext % vs.realServers.length]!
    vs.rrNext = (vs.rrNext + 1) % vs.realServers.length
  }
  persist?.templates.set(client, { server, expiresAtMs: nowMs + persist.timeoutSeconds * 1000 })
  return server
}
