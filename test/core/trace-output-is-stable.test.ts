import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { advanceClock, sendProbe } from '../../src-main/core/engine/probe.ts'
import type { ProbeSpec } from '../../src-main/core/engine/trace.ts'
import { endpointsOf } from '../../src-main/core/kube/endpoints.ts'
import type { Lab } from '../../src-main/core/kube/lab.ts'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { deletePod } from '../../src-main/core/scenario/mutations.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import {
  scenarioSchema,
  type Scenario,
  type ScenarioInput
} from '../../src-main/core/scenario/scenario.schema.ts'
import { run } from './sim-lab.ts'

/**
 * The Trace JSON, the capture log and the kernel state a walk leaves behind are a contract: the
 * UI's packet stepper, pcap export, tcpdump and the lessons read them. This pins all of them,
 * byte for byte, for a fixed set of probes on every course and fixture scenario and on generated
 * clusters in each kube-proxy mode, so that work on the simulator's speed cannot change what it
 * says. The snapshot holds a digest of each JSON (the full texts would be megabytes) beside a
 * one-line summary that tells which probe moved when a digest does.
 */

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 24)

/** Maps and Sets spelled out, so the digest covers every part of the lab. */
function labJson(lab: Lab): string {
  return JSON.stringify(lab, (_key, value: unknown) => {
    if (value instanceof Map) return { map: [...value.entries()] }
    if (value instanceof Set) return { set: [...value.values()] }
    return value
  })
}

interface Step {
  label: string
  spec: ProbeSpec
  /** Lab time to let pass before the probe (ARP, FDB and conntrack ageing). */
  sleepMs?: number
  /** Change to the lab before the probe. */
  before?: () => void
}

/** Probes that reach every path of the walk the scenario has: bridged, tunnelled, NATed, refused, too big, hairpinned. */
function steps(lab: Lab): Step[] {
  const pods = lab.pods.filter((p) => !p.hostNetwork)
  const out: Step[] = []
  const a = pods[0]
  if (!a) return out
  const same = pods.find((p) => p !== a && p.node === a.node)
  const cross = pods.find((p) => p.node !== a.node)
  const ext = lab.externalHosts[0]
  const node = lab.nodes[0]!
  // The scenario's own Services: the apiserver's has no pod to trace from.
  const own = lab.services.filter((s) => !s.fixedEndpoints)
  const withEps = own.find((s) => endpointsOf(lab, s, s.ports[0]!).length > 0)
  const noEps = own.find((s) => s.ports.length > 0 && endpointsOf(lab, s, s.ports[0]!).length === 0)
  const nodePort = lab.services.find((s) => s.ports.some((p) => p.nodePort !== undefined))
  if (same)
    out.push({ label: 'same-node ping', spec: { proto: 'icmp', from: a.name, to: formatIpv4(same.ip) } })
  if (cross) {
    out.push({ label: 'cross-node ping', spec: { proto: 'icmp', from: a.name, to: formatIpv4(cross.ip) } })
    out.push({
      label: 'cross-node udp, no socket',
      spec: { proto: 'udp', from: a.name, to: formatIpv4(cross.ip), port: 53 }
    })
    out.push({
      label: 'cross-node tcp, closed port',
      spec: { proto: 'tcp', from: a.name, to: formatIpv4(cross.ip), port: 9999 }
    })
    out.push({
      label: 'cross-node ping, ttl 2',
      spec: { proto: 'icmp', from: a.name, to: formatIpv4(cross.ip), ttl: 2 }
    })
    out.push({
      label: 'cross-node ping too big for the pod',
      spec: { proto: 'icmp', from: a.name, to: formatIpv4(cross.ip), size: 1600 }
    })
    out.push({
      label: 'node ping too big for the tunnel',
      spec: { proto: 'icmp', from: node.name, to: formatIpv4(cross.ip), size: 1460 }
    })
    out.push({
      label: 'node ping, fragmentable',
      spec: { proto: 'icmp', from: node.name, to: formatIpv4(cross.ip), size: 1460, dontFragment: false }
    })
  }
  if (withEps) {
    const port = withEps.ports[0]!
    for (let i = 0; i < 4; i++)
      out.push({
        label: `ClusterIP ${port.protocol.toLowerCase()} #${i + 1}`,
        spec: {
          proto: port.protocol === 'UDP' ? 'udp' : 'tcp',
          from: a.name,
          to: formatIpv4(withEps.clusterIP),
          port: port.port
        }
      })
    out.push({
      label: 'ClusterIP icmp',
      spec: { proto: 'icmp', from: a.name, to: formatIpv4(withEps.clusterIP) }
    })
    const backend = endpointsOf(lab, withEps, port)[0]!
    for (let i = 0; i < 6; i++)
      out.push({
        label: `hairpin #${i + 1}`,
        spec: { proto: 'tcp', from: backend.pod, to: formatIpv4(withEps.clusterIP), port: port.port }
      })
  }
  if (noEps)
    out.push({
      label: 'no endpoints',
      spec: { proto: 'tcp', from: a.name, to: formatIpv4(noEps.clusterIP), port: noEps.ports[0]!.port }
    })
  if (nodePort && ext) {
    const np = nodePort.ports.find((p) => p.nodePort !== undefined)!.nodePort!
    for (const n of lab.nodes)
      out.push({
        label: `NodePort via ${n.name}`,
        spec: { proto: 'tcp', from: ext.name, to: formatIpv4(n.ip), port: np }
      })
  }
  if (ext) {
    out.push({ label: 'pod to external host', spec: { proto: 'icmp', from: a.name, to: formatIpv4(ext.ip) } })
    out.push({
      label: 'external host too big',
      spec: { proto: 'icmp', from: ext.name, to: formatIpv4(node.ip), size: 1600 }
    })
    out.push({
      label: 'external host to a pod',
      spec: { proto: 'icmp', from: ext.name, to: formatIpv4(a.ip) }
    })
  }
  out.push({ label: 'nowhere', spec: { proto: 'icmp', from: a.name, to: '203.0.113.9' } })
  if (cross) {
    out.push({
      label: 'cross-node ping after 10 minutes',
      sleepMs: 600_000,
      spec: { proto: 'icmp', from: a.name, to: formatIpv4(cross.ip) }
    })
    if (withEps)
      out.push({
        label: 'ClusterIP tcp after 10 minutes',
        spec: { proto: 'tcp', from: a.name, to: formatIpv4(withEps.clusterIP), port: withEps.ports[0]!.port }
      })
    // A pod whose MTU is larger than the path's: its node answers "fragmentation needed".
    const raiseMtu = (): void =>
      void (lab.netns.get(a.netns)!.links.find((l) => l.name === 'eth0')!.mtu = 9000)
    out.push({
      label: 'forwarded ping too big for the tunnel',
      before: raiseMtu,
      spec: { proto: 'icmp', from: a.name, to: formatIpv4(cross.ip), size: 1460 }
    })
    if (withEps)
      out.push({
        label: 'ClusterIP udp too big for the tunnel',
        spec: {
          proto: 'udp',
          from: a.name,
          to: formatIpv4(withEps.clusterIP),
          port: withEps.ports[0]!.port,
          size: 1460
        }
      })
  }
  return out
}

/** What the tools print about the state a walk leaves: counters, caches, conntrack. */
function stateText(lab: Lab): string {
  const commands = [
    ['ip', '-s', 'link'],
    ['ip', 'neigh'],
    ['bridge', 'fdb', 'show'],
    ['iptables-save', '-c'],
    ['conntrack', '-L'],
    ['nft', 'list', 'ruleset'],
    ['ipvsadm', '-Ln', '--stats']
  ]
  const targets = [
    ...lab.nodes.map((n) => n.name),
    ...lab.pods.filter((p) => !p.hostNetwork).map((p) => p.name),
    ...lab.externalHosts.map((h) => h.name)
  ]
  let text = ''
  for (const on of targets) {
    for (const argv of commands) {
      const r = run(lab, on, argv)
      text += `## ${on}: ${argv.join(' ')} (${r.exitCode})\n${r.stdout}${r.stderr}`
    }
  }
  return text
}

function probe(lab: Lab, lines: string[], label: string, spec: ProbeSpec): void {
  lab.capture.batch++
  const t = sendProbe(lab, spec)
  lines.push(
    `${label}: ${t.outcome.kind}${t.servedBy ? ` by ${t.servedBy}` : ''}, ${t.hops.length} hops, ${t.rulesEvaluated} rules, trace ${digest(JSON.stringify(t))}`
  )
  advanceClock(lab, 1000)
}

/** kube-proxy resyncing after a pod is replaced, and hand edits of the chains it wrote, then traffic again. */
function afterEdits(lab: Lab, lines: string[]): void {
  const node = lab.nodes[0]!.name
  const svc = lab.services.find((s) => !s.fixedEndpoints && endpointsOf(lab, s, s.ports[0]!).length > 0)
  const client = lab.pods.find((p) => !p.hostNetwork)
  const edits = [
    ['iptables', '-t', 'nat', '-N', 'KUBE-LAB-EXTRA'],
    ['iptables', '-t', 'nat', '-A', 'KUBE-LAB-EXTRA', '-j', 'RETURN'],
    ['iptables', '-t', 'filter', '-N', 'LAB-USER']
  ]
  for (const argv of edits) lines.push(`${node}: ${argv.join(' ')} → ${run(lab, node, argv).exitCode}`)
  if (svc && client) {
    const backend = endpointsOf(lab, svc, svc.ports[0]!)[0]!
    const replaced = deletePod(lab, 'default', backend.pod)
    lines.push(`delete pod ${backend.pod}: ${replaced.ok}`)
    const to = formatIpv4(svc.clusterIP)
    for (let i = 0; i < 3; i++)
      probe(lab, lines, `ClusterIP after resync #${i + 1}`, {
        proto: 'tcp',
        from: client.name,
        to,
        port: svc.ports[0]!.port
      })
    const flush = ['iptables', '-t', 'nat', '-F', 'KUBE-SERVICES']
    lines.push(`${node}: ${flush.join(' ')} → ${run(lab, node, flush).exitCode}`)
    probe(lab, lines, 'ClusterIP after flushing KUBE-SERVICES', {
      proto: 'tcp',
      from: client.name,
      to,
      port: svc.ports[0]!.port
    })
    const again = deletePod(lab, 'default', client.name)
    lines.push(`delete pod ${client.name}: ${again.ok}`)
    probe(lab, lines, 'ClusterIP after a second resync', {
      proto: 'tcp',
      from: client.name,
      to,
      port: svc.ports[0]!.port
    })
  }
}

function session(scenario: Scenario): string[] {
  const lab = buildLab(scenario)
  // Each probe is a batch of its own, as a shell line's traffic is, and the log keeps every frame
  // as it does while a shell runs lines, so the capture line below covers what the walks sent.
  lab.capture.keeping = true
  const lines = [`build ${digest(labJson(lab))}`]
  for (const step of steps(lab)) {
    if (step.sleepMs) advanceClock(lab, step.sleepMs)
    step.before?.()
    probe(lab, lines, step.label, step.spec)
  }
  lines.push(`capture ${lab.capture.frames.length} frames ${digest(JSON.stringify(lab.capture))}`)
  lines.push(`state ${digest(stateText(lab))}`)
  lines.push(`lab after ${digest(labJson(lab))}`)
  afterEdits(lab, lines)
  lines.push(`state after edits ${digest(stateText(lab))}`)
  lines.push(`lab after edits ${digest(labJson(lab))}`)
  return lines
}

const root = fileURLToPath(new URL('../../', import.meta.url))

function fromFile(path: string): Scenario {
  const parsed = parseScenario(readFileSync(root + path, 'utf8'), path)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return parsed.scenario
}

/** bench/sim.bench.ts's generated cluster, small enough to walk in a test. */
function generated(
  nodes: number,
  podsPerNode: number,
  services: number,
  mode: 'iptables' | 'ipvs' | 'nftables'
): Scenario {
  const input: ScenarioInput = {
    formatVersion: 1,
    id: `gen-${nodes}-${podsPerNode}-${services}-${mode}`,
    cluster: {
      underlayCIDR: '172.20.0.0/16',
      gateway: '172.20.0.1',
      podCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      seed: 42,
      kubeProxy: { mode, version: '1.31' },
      dns: { enabled: false }
    },
    nodes: Array.from({ length: nodes }, (_, i) => ({ name: `node-${i + 1}`, ip: `172.20.0.${i + 2}` })),
    pods: Array.from({ length: nodes * podsPerNode }, (_, i) => ({
      name: `pod-${i + 1}`,
      node: `node-${(i % nodes) + 1}`,
      labels: { app: `app-${i % services}` },
      containers: [{ name: 'app', app: 'http' as const, port: 8080 }]
    })),
    services: [
      ...Array.from({ length: services }, (_, i) => ({
        name: `svc-${i + 1}`,
        selector: { app: `app-${i}` },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }]
      })),
      { name: 'empty', selector: { app: 'none' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      {
        name: 'np',
        type: 'NodePort' as const,
        selector: { app: 'app-1' },
        ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]
      }
    ],
    externalHosts: [{ name: 'laptop', ip: '172.20.0.200' }]
  }
  return scenarioSchema.parse(input)
}

const scenarioFiles = [
  ...readdirSync(root + 'lessons', { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `lessons/${d.name}/scenario.yaml`),
  ...readdirSync(root + 'test/fixtures/scenarios').map((f) => `test/fixtures/scenarios/${f}`)
].sort()

describe('the walk says the same thing, byte for byte', () => {
  for (const file of scenarioFiles) {
    test(file, async () => {
      await expect(session(fromFile(file)).join('\n') + '\n').toMatchFileSnapshot(
        `__snapshots__/trace-output-is-stable/${file.replaceAll('/', '__')}.txt`
      )
    })
  }
  for (const mode of ['iptables', 'ipvs', 'nftables'] as const) {
    test(`generated 4 nodes × 5 pods × 12 services, ${mode}`, async () => {
      await expect(session(generated(4, 5, 12, mode)).join('\n') + '\n').toMatchFileSnapshot(
        `__snapshots__/trace-output-is-stable/generated-${mode}.txt`
      )
    })
  }
})
