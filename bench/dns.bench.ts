import { buildLab } from '../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../src-main/core/scenario/parse-scenario.ts'
import { LabShell } from '../src-main/core/shell/lab-shell.ts'
import type { Figure } from './figure.ts'

/**
 * Cluster DNS end to end in the simulator: a lookup is a UDP query and answer through the
 * kube-dns ClusterIP's DNAT to a CoreDNS pod on either node, and `curl` by name adds glibc's A
 * and AAAA queries to a whole TCP connection.
 */

const SCENARIO = `formatVersion: 1
id: bench-dns
cluster:
  gateway: 192.168.56.1
nodes:
  - { name: node-1, ip: 192.168.56.11 }
  - { name: node-2, ip: 192.168.56.12 }
pods:
  - { name: client, node: node-1, containers: [{ name: shell, app: sleep }] }
  - { name: web-1, node: node-1, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
  - { name: web-2, node: node-2, labels: { app: web }, containers: [{ name: app, app: http, port: 8080 }] }
services:
  - { name: web, selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }
`

let shell: LabShell | undefined

function dnsShell(): LabShell {
  const parsed = parseScenario(SCENARIO, 'bench-dns.yaml')
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return new LabShell(buildLab(parsed.scenario))
}

/** Mean milliseconds of one command line over `n` runs on the client pod. */
function timeLine(line: string, n: number): number {
  const s = (shell ??= dnsShell())
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const r = s.run('client', line)
    if (r?.exitCode !== 0) throw new Error(`${line}: ${r?.stderr ?? 'no target'}`)
  }
  return (performance.now() - start) / n
}

const figures: Figure[] = [
  {
    name: 'dns.lookup.dig-service-name',
    unit: 'ms',
    target: '< 1 ms',
    runs: 15,
    sample: () => timeLine('dig +short web.default.svc.cluster.local', 50)
  },
  {
    name: 'dns.curl.by-short-name',
    unit: 'ms',
    target: '< 1 ms',
    runs: 15,
    sample: () => timeLine('curl -s http://web/', 50)
  }
]

export default figures
