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
}
