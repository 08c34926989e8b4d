import type { Ipv4 } from '../net/ipv4.ts'

export type AddressScope = 'host' | 'link' | 'global'

/** An IPv4 address on a link (`ip addr`). */
export interface Address {
  ifindex: number
  address: Ipv4
  prefixLen: number
  /** Broadcast address printed as `brd`; absent for /32 and loopback. */
  broadcast?: Ipv4
  scope: AddressScope
  /** The label iproute2 prints at the end of the `inet` line (defaults to the link name). */
  label: string
  /** In the subnet of an address already on the link (IFA_F_SECONDARY): no prefix route of its own. */
  secondary?: true
}
