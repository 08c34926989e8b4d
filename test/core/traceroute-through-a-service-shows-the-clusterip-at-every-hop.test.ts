import { describe, expect, test } from 'vitest'
import { readFileSync } from 'node:fs'
import { labShellFromYaml, run } from './shell-fixture.ts'

/**
 * A TCP traceroute to a ClusterIP is DNATed on the client's node; every ICMP time exceeded that
 * comes back is related to that connection, and nf_nat_icmp_reply_translation rewrites both the
 * quoted header and the outer source to the Service address. Real traceroute 2.1.2 between
 * namespaces (client → 10.96.0.120, whose only endpoint is web-3 on node-2) prints:
 *    1  10.96.0.120  0.259 ms
 *    2  10.96.0.120  0.160 ms
 *    3  10.96.0.120  0.093 ms
 */
function remoteBackendLab(mode: 'two-node-vxlan' | 'two-node-nftables'): ReturnType<typeof labShellFromYaml> {
  const yaml = readFileSync(`test/fixtures/scenarios/${mode}.yaml`, 'utf8')
    .replace(
      '  - name: web-3\n    node: node-2\n    labels: { app: web }',
      '  - name: web-3\n    node: node-2\n    labels: { app: web, only: three }'
    )
    .replace(
      'services:\n',
      'services:\n  - name: web-remote\n    clusterIP: 10.96.0.120\n    selector: { only: three }\n    ports: [{ name: http, port: 80, targetPort: 8080 }]\n'
    )
  return labShellFromYaml(yaml)
}

const hops = (stdout: string): string[] =>
  stdout
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.replace(/ {2}[\d.]+ ms$/, ''))

describe('traceroute -T through a DNATed ClusterIP', () => {
  test.each(['two-node-vxlan', 'two-node-nftables'] as const)(
    '%s: every hop answers as the ClusterIP',
    (mode) => {
      const r = run(remoteBackendLab(mode), 'client', 'traceroute -n -q 1 -w 1 -T -p 80 10.96.0.120')
      expect(hops(r.stdout)).toEqual([' 1  10.96.0.120', ' 2  10.96.0.120', ' 3  10.96.0.120'])
    }
  )

  test('from the node itself too (DNAT in OUTPUT)', () => {
    const r = run(
      remoteBackendLab('two-node-vxlan'),
      'node-1',
      'traceroute -n -q 1 -w 1 -T -p 80 10.96.0.120'
    )
    expect(hops(r.stdout)).toEqual([' 1  10.96.0.120', ' 2  10.96.0.120'])
  })
})
