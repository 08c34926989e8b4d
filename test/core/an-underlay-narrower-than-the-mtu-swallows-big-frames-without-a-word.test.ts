import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'

/** The reference cluster on a network between the nodes that carries 1400-byte packets only. */
const narrowUnderlay = (): ReturnType<typeof labShellFromYaml> =>
  labShellFromYaml(
    readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8').replace(
      'seed: 7',
      'seed: 7\n  underlayMtu: 1400'
    )
  )

describe('an underlay that carries less than the nodes’ MTU', () => {
  test('small pod packets cross; a 1450-byte one leaves node-1 as a 1500-byte frame and never arrives', () => {
    const lab = narrowUnderlay()
    expect(run(lab, 'client', 'ping -c 1 -W 1 10.244.2.2').stdout).toContain(' 0% packet loss')
    const big = run(lab, 'client', 'ping -c 1 -W 1 -M do -s 1422 10.244.2.2')
    // Nothing on the path has an ICMP error to send: no "Frag needed", just silence.
    expect(big.stdout).toContain('1 packets transmitted, 0 received, 100% packet loss')
    expect(big.stdout).not.toContain('Frag needed')
    const sent = run(lab, 'node-1', 'tcpdump -v -n -i eth0 udp port 8472')
    expect(sent.stdout).toContain('proto UDP (17), length 1500)\n    192.168.56.11.')
    run(lab, 'client', 'ping -c 1 -W 1 -M do -s 1422 10.244.2.2')
    expect(run(lab, 'node-2', 'tcpdump -n -i eth0 udp port 8472').stderr).toContain('0 packets captured')
  })

  test('a packet of 1400 bytes on the wire crosses, one byte more does not', () => {
    const lab = narrowUnderlay()
    expect(run(lab, 'node-1', 'ping -c 1 -W 1 -M do -s 1372 192.168.56.12').stdout).toContain(
      ' 0% packet loss'
    )
    expect(run(lab, 'node-1', 'ping -c 1 -W 1 -M do -s 1373 192.168.56.12').stdout).toContain(
      '100% packet loss'
    )
  })

  test('flannel.1 lowered to 1350 turns the silence into Frag needed from node-1, and 1350-byte packets cross', () => {
    const lab = narrowUnderlay()
    expect(run(lab, 'node-1', 'ip link set flannel.1 mtu 1350').exitCode).toBe(0)
    expect(run(lab, 'client', 'ping -c 1 -W 1 -M do -s 1422 10.244.2.2').stdout).toContain(
      'From 10.244.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1350)'
    )
    expect(run(lab, 'node-1', 'tcpdump -n -i cni0 icmp').stdout).toContain(
      'IP 10.244.1.1 > 10.244.1.2: ICMP 10.244.2.2 unreachable - need to frag (mtu 1350), length 556'
    )
    expect(run(lab, 'client', 'ping -c 1 -W 1 -M do -s 1322 10.244.2.2').stdout).toContain(' 0% packet loss')
  })
})
