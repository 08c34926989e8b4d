import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * Real namespaces print `cksum 0x… (incorrect -> 0x…)` for every segment a socket sent, on the
 * sender's and the receiver's eth0, on the bridge ports and on flannel.1 alike: the kernel wrote
 * only the pseudo-header's sum for the device to finish, and no veth, bridge or VXLAN device
 * finishes it. A reset the kernel sends for a socket-less segment is checksummed in full.
 */

const verdicts = (out: string): string[] =>
  [...out.matchAll(/Flags \[([^\]]+)\], cksum (0x[0-9a-f]{4}) \(([^)]+)\)/g)].map(
    (m) => `${m[1]} ${m[2]} ${m[3]}`
  )

describe('tcpdump -v shows the checksum a socket leaves to the device', () => {
  test('a curl between pods on two nodes: the pseudo-header sum on both ends', () => {
    const s = labShell('two-node-vxlan')
    run(s, 'client', 'curl -s http://10.244.2.2:8080/')
    for (const [on, dev] of [
      ['client', 'eth0'],
      ['web-3', 'eth0'],
      ['node-2', 'flannel.1'],
      ['node-1', 'cni0']
    ] as const) {
      const v = verdicts(run(s, on, `tcpdump -v -nn -i ${dev} -c 3 tcp`).stdout)
      // 10.244.1.2 → 10.244.2.2, 40 bytes of TCP: 0x0af4 + 0x0102 + 0x0af4 + 0x0202 + 6 + 40.
      expect(v[0]).toMatch(/^S 0x191a incorrect -> 0x[0-9a-f]{4}$/)
      expect(v[1]).toMatch(/^S\. 0x191a incorrect -> 0x[0-9a-f]{4}$/)
      expect(v[2]).toMatch(/^\. 0x1912 incorrect -> 0x[0-9a-f]{4}$/)
    }
  })

  test('NAT keeps the sum right for the addresses it wrote: to a ClusterIP it covers the ClusterIP', () => {
    const s = labShell('two-node-vxlan')
    run(s, 'client', 'curl -s http://10.96.0.100/')
    const v = verdicts(run(s, 'client', 'tcpdump -v -nn -i eth0 -c 1 tcp').stdout)
    expect(v[0]).toMatch(/^S 0x16e8 incorrect -> /)
  })

  test('a kernel reset for a closed port carries a complete checksum', () => {
    const s = labShell('two-node-vxlan')
    run(s, 'client', 'curl -s http://10.244.2.2:8081/')
    const v = verdicts(run(s, 'client', 'tcpdump -v -nn -i eth0 -c 2 tcp').stdout)
    expect(v[0]).toMatch(/^S 0x191a incorrect -> /)
    expect(v[1]).toMatch(/^R\. 0x[0-9a-f]{4} correct$/)
  })
})
