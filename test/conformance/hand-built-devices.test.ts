import { spawn, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { LAB_APP_PY } from '../../src-main/core/scenario/export-lab.ts'
import { labPlanFromLab } from '../../src-main/core/scenario/plan-from-lab.ts'
import { run as simRun } from '../core/shell-fixture.ts'
import {
  APP_PORT,
  HAND_BUILT,
  buildLines,
  handBuilt,
  startAppInSim,
  type HandBuiltNode
} from '../devices/hand-built-pod-network.ts'
import { loadScenario, simulatedShell } from './conformance.ts'
import { contextFor, normaliseOutput } from './normalise.ts'
import { RealLab, realLabUnavailable, type Output } from './real-lab.ts'

/**
 * The pod network a learner wires by hand on two bare nodes, built twice by the same command
 * lines: in the simulator and in real namespaces. The real side enters only the node's network
 * namespace (nsenter), not a mount namespace of its own as the lab script's `exec` does, so
 * that `ip netns add` there leaves a namespace the next command still finds.
 */

const PREFIX = 'pnl-dv'
const unavailable = realLabUnavailable()

interface Compared {
  on: string
  run: string
  /** The step shows links made without `address`, whose MACs are random on a real kernel. */
  randomMacs?: true
}

/**
 * Read-only commands and failing ones, compared output for output after the build. The pods'
 * namespaces are named after the run's prefix; test titles show them under the base one.
 */
const compared = ([A, B]: readonly [HandBuiltNode, HandBuiltNode]): Compared[] => [
  { on: 'node-1', run: 'ip route' },
  { on: 'node-1', run: 'ip neigh show dev flannel.1' },
  { on: 'node-1', run: 'bridge fdb show dev flannel.1' },
  { on: 'node-1', run: 'ip -d link show flannel.1' },
  { on: 'node-1', run: 'ip link show veth-pod' },
  { on: 'node-1', run: 'ip link show cni0' },
  { on: 'node-1', run: `ip netns exec ${A.pod} ip -d link show eth0` },
  { on: 'node-1', run: `ip netns exec ${A.pod} ip route` },
  { on: 'node-1', run: `ip netns exec ${A.pod} ip addr` },
  { on: 'node-1', run: `ip netns exec ${A.pod} ping -c 1 ${B.podIp}` },
  { on: 'node-1', run: `ip netns exec ${A.pod} ping -c 1 ${A.subnet}.1` },
  { on: 'node-2', run: `ip netns exec ${B.pod} ping -c 1 ${A.podIp}` },
  { on: 'node-1', run: `ip netns exec ${A.pod} ip neigh` },
  { on: 'node-1', run: `ip netns exec ${A.pod} curl -s http://${B.podIp}:${APP_PORT}/` },
  { on: 'node-2', run: `ip netns exec ${B.pod} curl -sS http://${A.podIp}:${APP_PORT + 1}/` },
  { on: 'node-1', run: 'ip neigh' },
  { on: 'node-1', run: 'bridge fdb show br cni0' },
  { on: 'node-1', run: `ip netns add ${A.pod}` },
  { on: 'node-1', run: 'ip netns del pnl-dv-none' },
  { on: 'node-1', run: 'ip netns exec pnl-dv-none ip link' },
  { on: 'node-1', run: 'ip link add cni0 type bridge' },
  { on: 'node-1', run: 'ip link add veth-x type veth peer name veth-pod' },
  { on: 'node-1', run: 'ip link add vx9 type vxlan id 1 dev eth0 dstport 8472' },
  { on: 'node-1', run: 'ip link add vx9 type vxlan dev eth0 dstport 8472' },
  { on: 'node-1', run: 'ip link add vx9 type vxlan id 9 dev nosuch dstport 8472' },
  { on: 'node-1', run: 'ip link add x9 type nosuchkind' },
  { on: 'node-1', run: 'ip link set veth-pod netns pnl-dv-none' },
  { on: 'node-1', run: 'ip link set veth-pod master nosuch' },
  { on: 'node-1', run: 'ip link set veth-pod master eth0' },
  { on: 'node-1', run: 'ip link set veth-pod mtu 10' },
  { on: 'node-1', run: 'ip link set veth-pod mtu abc' },
  { on: 'node-1', run: 'ip link set veth-pod mtu -1' },
  { on: 'node-1', run: 'ip link add vx9 type vxlan id abc dev eth0' },
  { on: 'node-1', run: 'ip link add vx9 type vxlan id 16777216 dev eth0' },
  { on: 'node-1', run: 'ip link add vx9 type vxlan id 9 dev eth0 dstport abc' },
  { on: 'node-1', run: 'ip link add vx9 type vxlan id 9 local abc' },
  { on: 'node-1', run: 'ip link set veth-pod address zz' },
  { on: 'node-1', run: 'ip link del nosuch' },
  { on: 'node-1', run: `ip addr add ${A.subnet}.1/24 dev cni0` },
  { on: 'node-1', run: `ip route add ${B.subnet}.0/24 via ${B.subnet}.0 dev flannel.1 onlink` },
  { on: 'node-1', run: 'ip route add 10.9.0.0/16 via 10.99.0.1 dev cni0' },
  { on: 'node-1', run: 'ip route add 10.9.0.0/16 via 10.99.0.1 dev cni0 onlink extra' },
  { on: 'node-1', run: 'ip route del 10.9.0.0/16' },
  { on: 'node-1', run: `ip -n ${A.pod} route` },
  { on: 'node-1', run: 'ip link add veth-z type veth peer name veth-y' },
  { on: 'node-1', run: 'ip link add vx8 type vxlan id 8' },
  { on: 'node-1', run: 'ip link add vx7 type vxlan id 7 dstport 8472 foo' },
  { on: 'node-1', run: 'ip link add br8 type bridge' },
  { on: 'node-1', run: 'ip link set br8 up' },
  { on: 'node-1', run: 'ip link set br8 down' },
  { on: 'node-1', run: 'ip link show', randomMacs: true },
  { on: 'node-1', run: 'ip link del veth-y' },
  { on: 'node-1', run: 'ip link del veth-z' },
  { on: 'node-1', run: 'ip -d link show cni0' },
  { on: 'node-1', run: 'ip addr show cni0' },
  { on: 'node-1', run: 'ip link', randomMacs: true },
  { on: 'node-1', run: `ip netns list | grep ${A.pod}` },
  // Taking it apart again.
  { on: 'node-1', run: 'ip link set veth-pod nomaster' },
  { on: 'node-1', run: 'bridge fdb show br cni0' },
  { on: 'node-1', run: 'ip link show cni0' },
  { on: 'node-1', run: 'ip link del veth-pod' },
  { on: 'node-1', run: `ip netns exec ${A.pod} ip link` },
  { on: 'node-1', run: `ip netns del ${A.pod}` },
  { on: 'node-1', run: `ip netns list | grep ${A.pod}` },
  {
    on: 'node-2',
    run: `bridge fdb add 02:00:00:00:dd:${A.tag} dev flannel.1 dst ${A.nodeIp} self permanent`
  },
  {
    on: 'node-2',
    run: `bridge fdb append 02:00:00:00:dd:${A.tag} dev flannel.1 dst 192.168.56.99 self permanent`
  },
  { on: 'node-2', run: 'bridge fdb show dev flannel.1' },
  { on: 'node-2', run: `bridge fdb del 02:00:00:00:dd:${A.tag} dev flannel.1 dst ${A.nodeIp}` },
  { on: 'node-2', run: `bridge fdb del 02:00:00:00:dd:${A.tag} dev flannel.1` },
  { on: 'node-2', run: 'bridge fdb show dev flannel.1' },
  { on: 'node-2', run: `ip route replace ${A.subnet}.0/24 via ${A.subnet}.0 dev flannel.1 onlink` },
  {
    on: 'node-2',
    run: `ip neigh replace ${A.subnet}.0 lladdr 02:00:00:00:dd:09 dev flannel.1 nud permanent`
  },
  { on: 'node-2', run: 'ip neigh show dev flannel.1' },
  { on: 'node-2', run: `ip addr del ${B.subnet}.0/32 dev flannel.1` },
  { on: 'node-2', run: `ip addr del ${B.subnet}.0/32 dev flannel.1` },
  { on: 'node-2', run: 'ip neigh show dev flannel.1' },
  { on: 'node-2', run: `ip netns exec ${B.pod} ip route replace default via ${B.subnet}.1 dev eth0` },
  { on: 'node-2', run: `ip netns exec ${B.pod} ip route` },
  { on: 'node-2', run: 'ip route' },
  { on: 'node-2', run: 'ip link del flannel.1' },
  { on: 'node-2', run: 'ip route' },
  { on: 'node-2', run: 'ip neigh' }
]

/** The command a line runs inside a pod namespace, or undefined for a line run on the node. */
const inPod = (run: string): string | undefined => /^ip netns exec \S+ (.*)$/.exec(run)?.[1]

/**
 * Artefacts of the real lab's wiring: the node's namespace is a named one there (on a real node
 * it is the unnamed root), and its eth0 is a veth to the lab's switch, whose namespace takes
 * the node's first nsid, so the pod's nsid is one higher than on a node with a real NIC. The
 * switch's name is then as visible as the node's (nsenter keeps /run/netns), and becomes the
 * nsid the shared normaliser expects of an underlay host's eth0.
 */
const unnameSwitch = (prefix: string, o: Output): Output => ({
  ...o,
  stdout: o.stdout.replaceAll(` link-netns ${prefix}-underlay`, ' link-netnsid 0')
})
const randomMacs = (text: string): string => text.replace(/link\/ether [0-9a-f:]{17}/g, 'link/ether <mac>')
const labWiring = (prefix: string, text: string): string =>
  text
    .replace(new RegExp(`link-netns ${prefix}-node-\\d+`, 'g'), 'link-netnsid 0')
    .replace(/ \(id: \d+\)$/gm, ' (id: <nsid>)')

describe.skipIf(unavailable !== undefined)(
  'a pod network wired by hand prints what real Linux prints',
  () => {
    const scenario = loadScenario('two-bare-nodes')
    const ctx = contextFor(scenario)
    const sim = simulatedShell(scenario)
    let real: RealLab | undefined
    let pods: readonly [HandBuiltNode, HandBuiltNode] | undefined
    let lines: Compared[] = []
    const realOut: Output[] = []
    const realBuild: Output[] = []
    const simBuild: Output[] = []

    const onReal = (on: string, line: string): Output => {
      const r = spawnSync('nsenter', [`--net=/run/netns/${real!.prefix}-${on}`, 'sh', '-c', line], {
        encoding: 'utf8',
        timeout: 20_000
      })
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? 1 }
    }
    // The lab script's down knows only the lab's hosts, not the pods the learner's lines made.
    const dropPods = (): void => {
      for (const n of pods ?? []) {
        // Only the app this test started in the pod's own namespace, by its pid.
        const pids = spawnSync('ip', ['netns', 'pids', n.pod], { encoding: 'utf8' }).stdout ?? ''
        for (const pid of pids.split('\n').filter(Boolean)) spawnSync('kill', ['-9', pid])
        spawnSync('ip', ['netns', 'del', n.pod], { stdio: 'ignore' })
      }
    }

    beforeAll(async () => {
      real = new RealLab(labPlanFromLab(sim.lab), PREFIX)
      await real.up()
      pods = handBuilt(real.prefix)
      lines = compared(pods)
      const [A, B] = pods
      for (const [me, peer] of [
        [A, B],
        [B, A]
      ] as const) {
        for (const line of buildLines(me, peer)) {
          realBuild.push(onReal(me.node, line))
          simBuild.push(simRun(sim, me.node, line))
        }
      }
      startAppInSim(sim.lab, B)
      const app = spawn(
        'ip',
        ['netns', 'exec', B.pod, 'setsid', 'python3', '-c', LAB_APP_PY, 'http', String(APP_PORT), B.pod],
        { stdio: 'ignore', detached: true }
      )
      app.unref()
      // IPv6 DAD on the new links ends within about a second, as on a real node after wiring.
      spawnSync('sleep', ['2'])
      simRun(sim, A.node, 'sleep 2')
      const listening = onReal(B.node, `ip netns exec ${B.pod} ss -Hltn 'sport = :${APP_PORT}'`)
      if (!listening.stdout.includes(`:${APP_PORT}`)) throw new Error(`the app in ${B.pod} is not listening`)
      for (const c of lines) realOut.push(onReal(c.on, c.run))
    }, 120_000)

    afterAll(async () => {
      dropPods()
      await real?.down()
    }, 60_000)

    test('every build line succeeds silently on both sides', () => {
      expect(simBuild.filter((r) => r.exitCode !== 0 || r.stdout || r.stderr)).toEqual([])
      expect(realBuild.filter((r) => r.exitCode !== 0 || r.stdout || r.stderr)).toEqual([])
    })

    compared(HAND_BUILT).forEach((titled, i) => {
      test(`${String(i + 1).padStart(2, '0')} ${titled.on}: ${titled.run}`, () => {
        const c = lines[i]!
        const prefix = real!.prefix
        const norm = (o: Output): string => {
          const text = labWiring(
            prefix,
            normaliseOutput(
              { run: inPod(c.run) ?? c.run },
              unnameSwitch(prefix, o),
              ctx,
              inPod(c.run) === undefined
            )
          )
          return c.randomMacs ? randomMacs(text) : text
        }
        expect(norm(simRun(sim, c.on, c.run))).toBe(norm(realOut[i]!))
      })
    })
  }
)
