import { formatIpv4, type Ipv4 } from '../net/ipv4.ts'
import { MAC_BROADCAST, type Mac } from '../net/mac.ts'
import type { PacketView } from './trace.ts'

/** The broadcast `who-has` arp_solicit sends; a neighbour probe sends it unicast to the MAC it knows. */
export function arpRequestView(
  senderMac: Mac,
  senderIp: Ipv4,
  targetIp: Ipv4,
  to: Mac = MAC_BROADCAST
): PacketView {
  return {
    eth: { src: senderMac, dst: to, ethertype: 'ARP' },
    arp: {
      op: 'request',
      senderIp: formatIpv4(senderIp),
      senderMac,
      targetIp: formatIpv4(targetIp),
      targetMac: '00:00:00:00:00:00'
    },
    mark: 0,
    payloadLength: 0
  }
}

/** The owner's unicast `is-at` back to the asker. */
export function arpReplyView(ownerMac: Mac, ownerIp: Ipv4, askerMac: Mac, askerIp: Ipv4): PacketView {
  return {
    eth: { src: ownerMac, dst: askerMac, ethertype: 'ARP' },
    arp: {
      op: 'reply',
      senderIp: formatIpv4(ownerIp),
      senderMac: ownerMac,
      targetIp: formatIpv4(askerIp),
      targetMac: askerMac
    },
    mark: 0,
    payloadLength: 0
  }
}
