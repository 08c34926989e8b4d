import type { LabShell } from '../src-main/core/shell/lab-shell.ts'
import { dnsClusterYaml } from '../test/core/dns-cluster-fixture.ts'
import { labShellFromYaml } from '../test/core/shell-fixture.ts'
import type { Figure } from './figure.ts'

/**
 * Cluster DNS end to end in the simulator: a lookup is a UDP query and answer through the
 * kube-dns ClusterIP's DNAT to a CoreDNS pod on either node, and `curl` by name adds glibc's A
 * and AAAA queries to a whole TCP connection.
 */

let shell: LabShell | undefined

const dnsShell = (): LabShell =>
  labShellFromYaml(
    dnsClusterYaml({ id: 'bench-dns', webOn: ['node-1', 'node-2'], webService: true }),
    'bench-dns.yaml'
  )

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
