import { advanceClock, sendProbe } from '../src-main/core/engine/probe.ts'
import type { Lab } from '../src-main/core/kube/lab.ts'
import { formatIpv4 } from '../src-main/core/net/ipv4.ts'
import { buildLab } from '../src-main/core/scenario/build-lab.ts'
import {
  SCENARIO_LIMITS,
  scenarioSchema,
  type Scenario,
  type ScenarioInput
} from '../src-main/core/scenario/scenario.schema.ts'
import type { Figure } from './figure.ts'

/**
 * Simulator figures: a cross-node ClusterIP trace, a generated large cluster, and how
 * build and trace cost grow with the number of Services, and how many rules one SYN meets in
 * each proxy mode.
 */

/** A cluster of `nodes` nodes with `podsPerNode` http pods each and `services` Services over them. */
function generated(
  nodes: number,
  podsPerNode: number,
  services: number,
  mode: ProxyMode = 'iptables'
): Scenario {
  const input: ScenarioInput = {
    formatVersion: 1,
    id: `bench-${nodes}-${podsPerNode}-${services}`,
    cluster: {
      underlayCIDR: '172.20.0.0/16',
      gateway: '172.20.0.1',
      podCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      seed: 42,
      kubeProxy: { mode },
      dns: { enabled: false }
    },
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `node-${i + 1}`,
      ip: `172.20.${Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 1}`
    })),
    pods: Array.from({ length: nodes * podsPerNode }, (_, i) => ({
      name: `pod-${i + 1}`,
      node: `node-${(i % nodes) + 1}`,
      labels: { app: `app-${i % services}` },
      containers: [{ name: 'app', app: 'http' as const, port: 8080 }]
    })),
    services: Array.from({ length: services }, (_, i) => ({
      name: `svc-${i + 1}`,
      selector: { app: `app-${i}` },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }]
    }))
  }
  return scenarioSchema.parse(input)
}

/** A Service whose only backend sits on another node than the client, so every trace crosses the tunnel. */
function crossNodeLab(scenario: Scenario): { lab: Lab; from: string; to: string } {
  const lab = buildLab(scenario)
  const client = lab.pods.find((p) => p.node === 'node-1')!
  const svc = lab.services.find((s) =>
    lab.pods.some((p) => p.labels.app === s.selector.app && p.node !== 'node-1')
  )!
  return { lab, from: client.name, to: formatIpv4(svc.clusterIP) }
}

/** The request curl writes to the ClusterIP. */
const CURL_REQUEST = 'GET / HTTP/1.1\r\nHost: svc\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n'

/**
 * One TCP probe — the SYN and its SYN-ACK, or with `whole` the connection curl makes (ten
 * segments) — timed alone; then the clock moves past TIME_WAIT, untimed, so every sample starts
 * without conntrack state (what the kernel's timers do meanwhile is not the trace's cost).
 * The process's CPU time is taken beside the wall clock: on a machine busy with other work the
 * wall clock also counts the time spent waiting for a core, the CPU time only the simulator's.
 */
function timeOneTrace(
  t: { lab: Lab; from: string; to: string },
  whole = false
): { wallMs: number; cpuMs: number } {
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  sendProbe(t.lab, {
    proto: 'tcp',
    from: t.from,
    to: t.to,
    port: 80,
    ...(whole ? { payload: CURL_REQUEST } : {})
  })
  const wallMs = performance.now() - start
  const cpu = process.cpuUsage(cpuBefore)
  advanceClock(t.lab, 121_000)
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }
}

/** How many netfilter rules one SYN to the ClusterIP is compared with on its way. */
function rulesWalked(t: { lab: Lab; from: string; to: string }): number {
  const trace = sendProbe(t.lab, { proto: 'tcp', from: t.from, to: t.to, port: 80 })
  advanceClock(t.lab, 121_000)
  return trace.rulesEvaluated
}

/** The mean wall-clock time of `count` traces; their mean CPU time goes to `cpuMs` when given. */
function timeTraces(
  t: { lab: Lab; from: string; to: string },
  count: number,
  whole = false,
  cpuMs?: number[]
): number {
  timeOneTrace(t, whole)
  let wall = 0
  let cpu = 0
  for (let i = 0; i < count; i++) {
    const one = timeOneTrace(t, whole)
    wall += one.wallMs
    cpu += one.cpuMs
  }
  cpuMs?.push(cpu / count)
  return wall / count
}

/**
 * Traces a figure sends before it samples. A lab worker serving a class runs the same walk
 * thousands of times, so the figures measure it once V8 has compiled it; until then (about the
 * first 2,000 small traces here) a trace costs several times more. What those first traces cost
 * is kept and printed beside the figure, so the warm-up hides nothing.
 */
const WARM_UP = { small: 3000, big: 300 }

/** The first traces' mean wall clock per trace, by figure, recorded while they warm V8 up. */
const coldMs = new Map<string, number>()

/** Sends `count` traces untimed but for the first `first`, whose mean wall clock it records. */
function warmUp(
  name: string,
  t: { lab: Lab; from: string; to: string },
  count: number,
  first: number,
  whole = false
): void {
  let wall = 0
  for (let i = 0; i < count; i++) {
    const one = timeOneTrace(t, whole)
    if (i < first) wall += one.wallMs
  }
  coldMs.set(name, wall / first)
}

/** The line under a warmed-up figure saying what its first traces cost. */
function coldLine(name: string, first: number, count: number, unit: 'µs' | 'ms'): string {
  const ms = coldMs.get(name) ?? Number.NaN
  const value = unit === 'µs' ? (ms * 1000).toFixed(1) : ms.toFixed(3)
  return `measured after ${count} warm-up traces; the first ${first} of them took ${value} ${unit} each (V8 still compiling the walk)`
}

/** The CPU time of a traced figure's samples, as a line under it. */
function cpuTimeLine(cpuMs: readonly number[], unit: 'µs' | 'ms'): string {
  const sorted = [...cpuMs].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
  const value = unit === 'µs' ? median * 1000 : median
  return `  CPU time of the simulator per trace: median ${value.toFixed(unit === 'µs' ? 1 : 3)} ${unit} (all the process's threads, garbage collection included; the wall clock also counts waiting for a busy core)`
}

const cpu = {
  syn: [] as number[],
  synFromShell: [] as number[],
  curl: [] as number[],
  bigTrace: [] as number[],
  policyTrace: [] as number[]
}

type ProxyMode = 'iptables' | 'ipvs' | 'nftables'

/**
 * The largest clusters SCENARIO_LIMITS allow, at the two corners of kube-proxy's budget
 * (nodes × (Service ports + endpoints)): `nodes` has every node the limit allows and splits the
 * budget between Services and endpoints; `services` has the most Services and endpoints, on the
 * nodes the budget leaves for them. Pods fill what the pod limits allow; each Service selects
 * one pod, so most pods on the `nodes` corner are idle.
 */
function largestAllowed(corner: 'nodes' | 'services', mode: ProxyMode): Scenario {
  const L = SCENARIO_LIMITS
  // Each Service selects one pod, so a Service costs kube-proxy two entries per node.
  const most = Math.min(L.services, L.servicePorts, L.endpoints)
  const nodes = corner === 'nodes' ? L.nodes : Math.floor(L.kubeProxyEntries / (2 * most))
  const services = Math.min(most, Math.floor(L.kubeProxyEntries / nodes / 2))
  const pods = Math.min(L.pods, nodes * L.podsPerNode)
  const input: ScenarioInput = {
    formatVersion: 1,
    id: `largest-${corner}-${mode}`,
    cluster: {
      underlayCIDR: '172.20.0.0/16',
      gateway: '172.20.0.1',
      podCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      seed: 42,
      kubeProxy: { mode },
      dns: { enabled: false }
    },
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `node-${i + 1}`,
      ip: `172.20.${Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 1}`
    })),
    pods: Array.from({ length: pods }, (_, i) => ({
      name: `pod-${i + 1}`,
      node: `node-${(i % nodes) + 1}`,
      labels: { app: `app-${i}` },
      containers: [{ name: 'app', app: 'http' as const, port: 8080 }]
    })),
    services: Array.from({ length: services }, (_, i) => ({
      name: `svc-${i + 1}`,
      selector: { app: `app-${i % pods}` },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }]
    }))
  }
  return scenarioSchema.parse(input)
}

/**
 * Build time and heap growth of each largest cluster, measured once for both figures. The lab
 * measured is the only one alive (`held`), so the heap difference is its size.
 */
let largest: { label: string; buildMs: number; heapMb: number }[] | undefined
let held: Lab | undefined
function measureLargest(): { label: string; buildMs: number; heapMb: number }[] {
  if (largest) return largest
  const gc = (globalThis as { gc?: () => void }).gc
  largest = []
  for (const corner of ['nodes', 'services'] as const) {
    for (const mode of ['iptables', 'ipvs', 'nftables'] as const) {
      const scenario = largestAllowed(corner, mode)
      held = undefined
      gc?.()
      const before = process.memoryUsage().heapUsed
      const start = performance.now()
      held = buildLab(scenario)
      const buildMs = performance.now() - start
      gc?.()
      const heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024
      const svc = scenario.services.length
      largest.push({
        label: `${held.netns.size} netns: ${scenario.nodes.length} nodes, ${scenario.pods.length} pods, ${svc} Services, ${mode}`,
        buildMs,
        heapMb
      })
    }
  }
  held = undefined
  return largest
}

function largestTable(): string[] {
  return [
    'cluster                                                               build ms   heap MB',
    ...measureLargest().map(
      (r) => `${r.label.padEnd(68)}  ${r.buildMs.toFixed(0).padStart(8)}  ${r.heapMb.toFixed(0).padStart(8)}`
    )
  ]
}

const twoNode = generated(2, 3, 2)
let small: ReturnType<typeof crossNodeLab> | undefined
let fromShell: ReturnType<typeof crossNodeLab> | undefined
const big = generated(100, 30, 500)
let bigLab: ReturnType<typeof crossNodeLab> | undefined
const growth: string[] = []

/** The same cluster enforcing 200 NetworkPolicies with kube-router: each web app admits the next app's pods. */
function withPolicies(scenario: Scenario, count: number): Scenario {
  return scenarioSchema.parse({
    ...scenario,
    id: `${scenario.id}-netpol`,
    cluster: { ...scenario.cluster, networkPolicy: 'kube-router' },
    networkPolicies: Array.from({ length: count }, (_, i) => ({
      name: `allow-${i}`,
      podSelector: { matchLabels: { app: `app-${i}` } },
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: `app-${i + 1}` } } }],
          ports: [{ protocol: 'TCP', port: 8080 }]
        }
      ]
    }))
  })
}
const bigPolicies = withPolicies(big, 200)
let bigPolicyLab: ReturnType<typeof crossNodeLab> | undefined

const figures: Figure[] = [
  {
    name: 'sim.trace.clusterip-cross-node',
    unit: 'µs',
    target: '< 50 µs',
    runs: 15,
    setup: () => {
      small = crossNodeLab(twoNode)
      warmUp('syn', small, WARM_UP.small, 200)
    },
    sample: () => timeTraces(small!, 200, false, cpu.syn) * 1000,
    details: () => [cpuTimeLine(cpu.syn, 'µs'), coldLine('syn', 200, WARM_UP.small, 'µs')]
  },
  {
    // A trace keeps its own frames; a shell line's go into the capture log's ring as well, for a
    // later one-shot tcpdump, and the header views they hold stay alive until the ring comes round.
    name: 'sim.shell-line.trace.clusterip-cross-node',
    unit: 'µs',
    target: 'none',
    runs: 15,
    setup: () => {
      fromShell = crossNodeLab(twoNode)
      fromShell.lab.capture.keeping = true
      warmUp('synFromShell', fromShell, WARM_UP.small, 200)
    },
    sample: () => timeTraces(fromShell!, 200, false, cpu.synFromShell) * 1000,
    details: () => [cpuTimeLine(cpu.synFromShell, 'µs'), coldLine('synFromShell', 200, WARM_UP.small, 'µs')]
  },
  {
    name: 'sim.curl.clusterip-cross-node.whole-connection',
    unit: 'µs',
    target: '< 250 µs',
    runs: 15,
    setup: () => {
      small ??= crossNodeLab(twoNode)
      warmUp('curl', small, WARM_UP.small, 200, true)
    },
    sample: () => timeTraces(small!, 200, true, cpu.curl) * 1000,
    details: () => [cpuTimeLine(cpu.curl, 'µs'), coldLine('curl', 200, WARM_UP.small, 'µs')]
  },
  {
    name: 'sim.cluster-100x30x500.build',
    unit: 'ms',
    target: '< 300 ms',
    runs: 7,
    sample: () => {
      const start = performance.now()
      bigLab = crossNodeLab(big)
      return performance.now() - start
    }
  },
  {
    name: 'sim.cluster-100x30x500.trace',
    unit: 'ms',
    target: '< 1 ms',
    runs: 15,
    setup: () => {
      bigLab ??= crossNodeLab(big)
      warmUp('bigTrace', bigLab, WARM_UP.big, 20)
    },
    sample: () => timeTraces(bigLab!, 20, false, cpu.bigTrace),
    details: () => [cpuTimeLine(cpu.bigTrace, 'ms'), coldLine('bigTrace', 20, WARM_UP.big, 'ms')]
  },
  {
    name: 'sim.cluster-100x30x500.netpol-200.build',
    unit: 'ms',
    target: '< 400 ms',
    runs: 7,
    sample: () => {
      const start = performance.now()
      bigPolicyLab = crossNodeLab(bigPolicies)
      return performance.now() - start
    }
  },
  {
    name: 'sim.cluster-100x30x500.netpol-200.trace',
    unit: 'ms',
    target: '< 1 ms',
    runs: 15,
    setup: () => {
      bigPolicyLab ??= crossNodeLab(bigPolicies)
      warmUp('policyTrace', bigPolicyLab, WARM_UP.big, 20)
    },
    sample: () => timeTraces(bigPolicyLab!, 20, false, cpu.policyTrace),
    details: () => [cpuTimeLine(cpu.policyTrace, 'ms'), coldLine('policyTrace', 20, WARM_UP.big, 'ms')]
  },
  {
    name: 'sim.cluster-100x30x500.heap',
    unit: 'MB',
    target: 'none',
    runs: 3,
    sample: () => {
      const gc = (globalThis as { gc?: () => void }).gc
      gc?.()
      const before = process.memoryUsage().heapUsed
      const lab = buildLab(big)
      gc?.()
      const after = process.memoryUsage().heapUsed
      return lab.netns.size > 0 ? (after - before) / 1024 / 1024 : 0
    }
  },
  {
    // The worst build SCENARIO_LIMITS let a scenario file ask for, over both corners and all
    // three proxy modes; the details list each. Without node --expose-gc the heap is rough.
    name: 'sim.largest-allowed.build',
    unit: 'ms',
    target: '< 30000 ms',
    runs: 1,
    setup: () => void measureLargest(),
    sample: () => Math.max(...measureLargest().map((r) => r.buildMs)),
    details: largestTable
  },
  {
    name: 'sim.largest-allowed.heap',
    unit: 'MB',
    target: '< 512 MB',
    runs: 1,
    setup: () => void measureLargest(),
    sample: () => Math.max(...measureLargest().map((r) => r.heapMb))
  },
  {
    name: 'sim.growth.5000-services.trace',
    unit: 'ms',
    target: 'none',
    runs: 1,
    setup: () => {
      growth.length = 0
      // Rules walked: every netfilter rule (iptables or nftables) the SYN is compared with on both
      // nodes. IPVS finds its virtual server by a hash lookup that no rule count shows.
      growth.push('services  build ms  trace ms  rules walked: iptables  ipvs  nftables')
      for (const n of [10, 100, 1000, 5000]) {
        const scenario = generated(2, 10, n)
        const start = performance.now()
        const t = crossNodeLab(scenario)
        const build = performance.now() - start
        const walked = rulesWalked(t)
        const trace = timeTraces(t, 20)
        const [ipvs, nft] = (['ipvs', 'nftables'] as const).map((m) =>
          rulesWalked(crossNodeLab(generated(2, 10, n, m)))
        )
        growth.push(
          `${String(n).padStart(8)}  ${build.toFixed(1).padStart(8)}  ${trace.toFixed(3).padStart(8)}  ${String(walked).padStart(22)}  ${String(ipvs).padStart(4)}  ${String(nft).padStart(8)}`
        )
      }
    },
    sample: () => Number(growth[growth.length - 1]!.trim().split(/\s+/)[2]),
    details: () => growth
  }
]

export default figures
