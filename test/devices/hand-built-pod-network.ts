/**
 * The commands a learner types to wire, on two bare nodes, what flannel and the CNI plugins
 * wire on two-node-vxlan: a pod namespace per node, a veth into it, a bridge holding the pod
 * gateway, a VXLAN device, and flanneld's route, neighbour and FDB entry for the other node.
 * MACs are set by hand so that a real kernel and the simulator print the same ones.
 */

import type { Lab } from '../../src-main/core/kube/lab.ts'

export interface HandBuiltNode {
  node: string
  nodeIp: string
  /** Name of the pod's network namespace (pnl-… so a real run stays in the lab's own names). */
  pod: string
  podIp: string
  subnet: string
  /** Last byte of every MAC made on this node. */
  tag: string
}

/** The two nodes' wiring, with pod namespaces `<prefix>-pa` and `<prefix>-pb`. */
export function handBuilt(prefix: string): readonly [HandBuiltNode, HandBuiltNode] {
  return [
    {
      node: 'node-1',
      nodeIp: '192.168.56.11',
      pod: `${prefix}-pa`,
      podIp: '10.244.1.2',
      subnet: '10.244.1',
      tag: '01'
    },
    {
      node: 'node-2',
      nodeIp: '192.168.56.12',
      pod: `${prefix}-pb`,
      podIp: '10.244.2.2',
      subnet: '10.244.2',
      tag: '02'
    }
  ]
}

export const HAND_BUILT = handBuilt('pnl-dv')

const mac = (kind: string, tag: string): string => `02:00:00:00:${kind}:${tag}`

/** One node's wiring, as separate command lines in the order a learner types them. */
export function buildLines(me: HandBuiltNode, peer: HandBuiltNode): string[] {
  const exec = `ip netns exec ${me.pod}`
  return [
    `ip netns add ${me.pod}`,
    'ip link add veth-pod type veth peer name eth0-pod',
    `ip link set eth0-pod address ${mac('aa', me.tag)}`,
    `ip link set veth-pod address ${mac('bb', me.tag)}`,
    'ip link set veth-pod mtu 1450',
    'ip link set eth0-pod mtu 1450',
    `ip link set eth0-pod netns ${me.pod}`,
    `${exec} ip link set eth0-pod name eth0`,
    `${exec} ip link set lo up`,
    `${exec} ip addr add ${me.podIp}/24 dev eth0`,
    `${exec} ip link set eth0 up`,
    `${exec} ip route add default via ${me.subnet}.1`,
    'ip link add cni0 type bridge',
    `ip link set cni0 address ${mac('cc', me.tag)}`,
    'ip link set cni0 mtu 1450',
    `ip addr add ${me.subnet}.1/24 dev cni0`,
    'ip link set veth-pod master cni0',
    'ip link set cni0 up',
    'ip link set veth-pod up',
    `ip link add flannel.1 type vxlan id 1 dev eth0 dstport 8472 nolearning local ${me.nodeIp}`,
    `ip link set flannel.1 address ${mac('dd', me.tag)}`,
    `ip addr add ${me.subnet}.0/32 dev flannel.1`,
    'ip link set flannel.1 up',
    `ip route add ${peer.subnet}.0/24 via ${peer.subnet}.0 dev flannel.1 onlink`,
    `ip neigh replace ${peer.subnet}.0 lladdr ${mac('dd', peer.tag)} dev flannel.1 nud permanent`,
    `bridge fdb replace ${mac('dd', peer.tag)} dev flannel.1 dst ${peer.nodeIp} self permanent`
  ]
}

/** The port the test starts the lab's HTTP app on in each hand-built pod (as the lab script does for pods). */
export const APP_PORT = 8080

/**
 * The lab's HTTP app listening in a hand-built pod, as `podnet export-lab` starts it in a
 * pod's namespace: the learner's lesson starts none, so the test plays the container runtime.
 */
export function startAppInSim(lab: Lab, me: HandBuiltNode): void {
  lab.netns.get(`${me.node}:${me.pod}`)!.sockets.push({
    proto: 'tcp',
    addr: 0,
    port: APP_PORT,
    pid: 4242,
    processName: 'python3',
    app: 'http',
    reply: me.pod
  })
}
