import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { SummaryRow, TraceSummary } from '../../src-main/core/diagram/summary.ts'
import { advanceClock, sendProbe } from '../../src-main/core/engine/probe.ts'
import type { ProbeSpec, Trace } from '../../src-main/core/engine/trace.ts'
import { endpointsOf } from '../../src-main/core/kube/endpoints.ts'
import type { Lab } from '../../src-main/core/kube/lab.ts'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import { LabShell } from '../../src-main/core/shell/lab-shell.ts'

/** Labs and probes for the diagram tests: every course and fixture scenario, set up as a learner gets it. */

const root = fileURLToPath(new URL('../../', import.meta.url))

export const scenarioFiles: string[] = [
  ...readdirSync(root + 'lessons', { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `lessons/${d.name}/scenario.yaml`),
  ...readdirSync(root + 'test/fixtures/scenarios').map((f) => `test/fixtures/scenarios/${f}`)
].sort()

/** The scenario's lab with its `setup:` lines applied, and a shell to change it further. */
export function labOf(file: string): { lab: Lab; shell: LabShell } {
  const parsed = parseScenario(readFileSync(root + file, 'utf8'), file)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  const shell = new LabShell(buildLab(parsed.scenario))
  const problems = shell.applySetup()
  if (problems.length > 0) throw new Error(problems.map((p) => p.text).join('\n'))
  return { lab: shell.lab, shell }
}

/** Runs a command line in the lab, failing the test when it fails. */
export function run(shell: LabShell, on: string, line: string): void {
  const r = shell.run(on, line)
  if (!r || r.exitCode !== 0) throw new Error(`${on}: ${line}: ${r?.stderr ?? 'no such target'}`)
}

/** Probes that reach every path a scenario has: bridged, tunnelled, NATed, refused, too big, dropped. */
export function probesOf(lab: Lab): { label: string; spec: ProbeSpec }[] {
  const pods = lab.pods.filter((p) => !p.hostNetwork)
  const out: { label: string; spec: ProbeSpec }[] = []
  const a = pods[0]
  if (!a) return out
  const same = pods.find((p) => p !== a && p.node === a.node)
  const cross = pods.find((p) => p.node !== a.node)
  const ext = lab.externalHosts[0]
  const node = lab.nodes[0]!
  // The scenario's own Services: the apiserver's has no pod to trace from.
  const own = lab.services.filter((s) => !s.fixedEndpoints)
  const withEps = own.find((s) => endpointsOf(lab, s, s.ports[0]!).length > 0)
  const noEps = own.find((s) => endpointsOf(lab, s, s.ports[0]!).length === 0)
  const icmp = (from: string, to: string, extra: Partial<ProbeSpec> = {}): ProbeSpec => ({
    proto: 'icmp',
    from,
    to,
    ...extra
  })
  if (same) out.push({ label: 'same-node ping', spec: icmp(a.name, formatIpv4(same.ip)) })
  if (cross) {
    const to = formatIpv4(cross.ip)
    out.push({ label: 'cross-node ping', spec: icmp(a.name, to) })
    out.push({ label: 'cross-node udp, no socket', spec: { proto: 'udp', from: a.name, to, port: 53 } })
    out.push({ label: 'cross-node tcp, closed port', spec: { proto: 'tcp', from: a.name, to, port: 9999 } })
    out.push({ label: 'cross-node ping, ttl 2', spec: icmp(a.name, to, { ttl: 2 }) })
    out.push({ label: 'cross-node ping too big', spec: icmp(a.name, to, { size: 1600 }) })
    out.push({ label: 'node ping too big for the tunnel', spec: icmp(node.name, to, { size: 1460 }) })
    out.push({ label: 'node to pod', spec: icmp(node.name, to) })
  }
  if (withEps) {
    const port = withEps.ports[0]!
    const proto = port.protocol === 'UDP' ? 'udp' : 'tcp'
    const to = formatIpv4(withEps.clusterIP)
    for (let i = 0; i < 3; i++)
      out.push({ label: `ClusterIP #${i + 1}`, spec: { proto, from: a.name, to, port: port.port } })
    out.push({ label: 'ClusterIP icmp', spec: icmp(a.name, to) })
    out.push({ label: 'node to ClusterIP', spec: { proto, from: node.name, to, port: port.port } })
    const backend = endpointsOf(lab, withEps, port)[0]!
    for (let i = 0; i < 3; i++)
      out.push({ label: `hairpin #${i + 1}`, spec: { proto, from: backend.pod, to, port: port.port } })
  }
  if (noEps)
    out.push({
      label: 'no endpoints',
      spec: { proto: 'tcp', from: a.name, to: formatIpv4(noEps.clusterIP), port: noEps.ports[0]!.port }
    })
  for (const svc of lab.services) {
    const np = svc.ports.find((p) => p.nodePort !== undefined)?.nodePort
    if (np === undefined || !ext) continue
    for (const n of lab.nodes)
      out.push({
        label: `NodePort ${svc.name} via ${n.name}`,
        spec: { proto: 'tcp', from: ext.name, to: formatIpv4(n.ip), port: np }
      })
  }
  if (ext) {
    out.push({ label: 'pod to external host', spec: icmp(a.name, formatIpv4(ext.ip)) })
    out.push({ label: 'external host to a pod', spec: icmp(ext.name, formatIpv4(a.ip)) })
  }
  out.push({ label: 'nowhere', spec: icmp(a.name, '203.0.113.9') })
  out.push({ label: 'loopback', spec: { proto: 'tcp', from: a.name, to: '127.0.0.1', port: 8080 } })
  return out
}

/** Every probe of `probesOf`, sent one second apart. */
export function tracesOf(lab: Lab): { label: string; trace: Trace }[] {
  return probesOf(lab).map(({ label, spec }) => {
    const trace = sendProbe(lab, spec)
    advanceClock(lab, 1000)
    return { label, trace }
  })
}

/** A row in one line, for pinning summaries: who, what (with its parameters) and which hops. */
export function storyLine(r: SummaryRow): string {
  const e = r.event
  let what: string
  switch (e.kind) {
    case 'sent':
      what = `${e.proto}${e.tcpFlags ? ` ${e.tcpFlags}` : ''}${e.icmp ? ` ${e.icmp.type}/${e.icmp.code}` : ''} ${e.from} > ${e.to} ttl ${e.ttl}`
      break
    case 'routed':
      what = `${e.from ?? '?'} > ${e.to} ttl ${e.ttlBefore}>${e.ttlAfter}`
      break
    case 'bridged':
      what = `${e.from ?? '?'} > ${e.to ?? '?'} fdb ${e.fdb}${e.brNetfilter ? ' br_netfilter' : ''}`
      break
    case 'dnat':
    case 'snat':
    case 'masquerade':
      what = `${e.from} > ${e.to} by ${e.by}${e.hook ? ` ${e.hook}` : ''}${e.chain ? ` ${e.chain.replace(/-[A-Z0-9]{16}$/, '-…')}` : ''}`
      break
    case 'undnat':
    case 'unsnat':
      what = `${e.from} > ${e.to}`
      break
    case 'encap':
      what = `vni ${e.vni} ${e.outerSrc} > ${e.outerDst}:${e.port}`
      break
    case 'decap':
      what = `vni ${e.vni} from ${e.outerSrc}`
      break
    case 'delivered':
      what = `${e.socket ? `${e.socket.process}/${e.socket.port}` : 'stack'}${e.answer ? ` answers ${e.answer}` : ''}`
      break
    case 'dropped':
      what = `${e.reason}${e.chain ? ` ${e.chain}` : ''}`
      break
    case 'no-endpoints':
      what = e.service
      break
  }
  const at = r.at.wire ?? r.at.device
  return `${r.packet} ${r.leg} ${r.device} ${e.kind} ${what} @${at} [${r.hops[0]}-${r.hops[1]}]`
}

export function story(summary: TraceSummary): string[] {
  return summary.rows.map(storyLine)
}
