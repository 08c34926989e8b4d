import type { AddressField, TraceSpec } from './lesson.schema.ts'

/**
 * What lessons need to know about a running lab, and nothing more. Goals and predictions are
 * judged through these interfaces so the lesson core does not depend on the simulator's internal
 * data layout; `lab-adapter.ts` implements them over the sim core's lab, shell and packet engine.
 */

/** Read-only queries over the lab's current state (the state leaves of a goal). */
export interface LabFacts {
  /** Administrative state of a link by object id (`node-1/cni0`); `undefined` if there is no such link. */
  linkState(linkId: string): 'up' | 'down' | undefined
  /** Whether a pod of this name currently exists. */
  podExists(pod: string): boolean
  /** FDB entries of a bridge or VXLAN device by object id; `undefined` if there is no such device. */
  fdbEntries(deviceId: string): readonly { mac: string; dst?: string }[] | undefined
  /** A link by object id (`node-1/veth-a`, `node-1:pod-a/eth0`); `undefined` if there is no such link. */
  link(linkId: string): LinkFacts | undefined
  /** Neighbour entries of a device by object id; `undefined` if there is no such device. */
  neighbours(deviceId: string): readonly NeighbourFacts[] | undefined
  /**
   * The main routing table of a node, a pod or a namespace made with `ip netns add` on a node
   * (`node-1:pod-a`), as `ip route` prints destinations and gateways; `undefined` if no such host.
   */
  routes(host: string): readonly { destination: string; via?: string }[] | undefined
  /** A kernel parameter of a node's or pod's namespace, as `sysctl` prints it; `undefined` if no such host or parameter. */
  sysctl(host: string, key: string): string | undefined
  /**
   * The rules of one iptables table of a node or external host, one `-A CHAIN …` line each as
   * `iptables -t TABLE -S` prints them (in no particular order); `undefined` if there is no such host.
   */
  iptablesRules(host: string, table: 'filter' | 'nat' | 'mangle'): readonly string[] | undefined
  /** Ready endpoints of a Service (every port), as `ip:port`; `undefined` if there is no such Service. */
  endpoints(service: string): readonly { ip: string; port: number }[] | undefined
}

export interface LinkFacts {
  type: string
  /** Name of the bridge the link is a port of. */
  master?: string
  /** IPv4 addresses with their prefix lengths (`10.244.1.1/24`). */
  addresses: readonly string[]
  mtu: number
}

export interface NeighbourFacts {
  address: string
  lladdr?: string
  /** As `ip neigh` prints it: `PERMANENT`, `REACHABLE`, `FAILED`, … */
  state: string
}

/** A command the learner (or a solution) ran in the terminal. */
export interface CommandFacts {
  /** Node, pod, pod/container or external host, as in the scenario. */
  on: string
  /** The command line as typed. */
  command: string
  /** Everything it printed (stdout then stderr). */
  output: string
  exitCode: number
}

/** One hop of a finished trace, reduced to what predictions and pinned questions refer to. */
export interface HopFacts {
  /** Object id of the device that handled the packet (`node-1/cni0`). */
  device: string
  /** The kernel component that acted at this hop, as the engine names it (`link-xmit`, `vxlan-encap`, …). */
  stage: string
  /**
   * For a frame sent or received here: whose address each header field carries, as the object id
   * of the interface holding it, or the address itself where no interface does.
   */
  addresses?: Partial<Record<AddressField, string>>
}

/** A finished trace, reduced to what goals, predictions and trace steps check. */
export interface TraceFacts {
  /** What was traced. */
  spec: TraceSpec
  verdict: 'delivered' | 'dropped'
  /** Why the packet died, as the engine's drop reason (`link-down`, `neigh-failed`, `no-route`, …); absent when delivered. */
  dropStage?: string
  hops: readonly HopFacts[]
  /** TTL of the packet as it reached the destination socket; absent when dropped. */
  arrivingTtl?: number
  /** The KUBE-SEP chain a DNAT rule sent the packet through and the pod behind it, if any. */
  kubeSep?: { chain: string; pod: string }
}

/**
 * One line typed into a target's terminal, as the lesson hears it: the line's own facts, then the
 * jobs (`tcpdump -c 4 … &`) that ended while it ran, in any terminal of the lab.
 */
export interface LineFacts extends Omit<CommandFacts, 'on' | 'command'> {
  jobsEnded: CommandFacts[]
  /** The line waited for Ctrl+C (a capture without `-c` in the foreground) and got it. */
  interrupted: boolean
}

/** A lab session the checker drives: one lesson's scenario, built fresh. */
export interface LabSession {
  exec(on: string, command: string): LineFacts
  trace(spec: TraceSpec): TraceFacts
  facts(): LabFacts
}
