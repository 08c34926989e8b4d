import { expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import type { Trace } from '../../src-main/core/engine/trace.ts'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { labShell, run } from '../core/shell-fixture.ts'
import { APP_PORT, HAND_BUILT, buildLines, startAppInSim } from './hand-built-pod-network.ts'

/** The walk as stages, without the names that differ between the two labs (pods, veths). */
const shape = (t: Trace): string[] =>
  t.hops.map((h) => `${h.leg} ${h.stage}${h.drop ? ` drop ${h.drop}` : ''}`)

test('a pod network wired by hand on bare nodes carries a cross-node ping and HTTP request hop for hop as flannel’s does', () => {
  const bare = labShell('two-bare-nodes')
  const [a, b] = HAND_BUILT
  for (const [me, peer] of [
    [a, b],
    [b, a]
  ] as const)
    for (const line of buildLines(me, peer))
      expect(run(bare, me.node, line)).toEqual({ stdout: '', stderr: '', exitCode: 0 })

  const ping = run(bare, a.node, `ip netns exec ${a.pod} ping -c 1 ${b.podIp}`)
  expect(ping.exitCode).toBe(0)
  expect(ping.stdout).toContain(`64 bytes from ${b.podIp}: icmp_seq=1 ttl=62`)

  const handBuilt = sendProbe(bare.lab, { proto: 'icmp', from: `${a.node}:${a.pod}`, to: b.podIp })
  const flannel = labShell('two-node-vxlan')
  const web3 = formatIpv4(flannel.lab.pods.find((p) => p.name === 'web-3')!.ip)
  // The same history on both sides: one ping first, so neither walk stops to resolve ARP.
  expect(run(flannel, 'client', `ping -c 1 ${web3}`).exitCode).toBe(0)
  const byFlannel = sendProbe(flannel.lab, { proto: 'icmp', from: 'client', to: web3 })
  expect(handBuilt.outcome.kind).toBe('reply')
  expect(shape(handBuilt)).toEqual(shape(byFlannel))

  startAppInSim(bare.lab, b)
  const curl = run(bare, a.node, `ip netns exec ${a.pod} curl -s http://${b.podIp}:${APP_PORT}/`)
  expect(curl).toEqual({ stdout: `${b.pod}\n`, stderr: '', exitCode: 0 })
  const request = 'GET / HTTP/1.1\r\n\r\n'
  const tcpHandBuilt = sendProbe(bare.lab, {
    proto: 'tcp',
    from: `${a.node}:${a.pod}`,
    to: b.podIp,
    port: APP_PORT,
    payload: request
  })
  const tcpFlannel = sendProbe(flannel.lab, {
    proto: 'tcp',
    from: 'client',
    to: web3,
    port: 8080,
    payload: request
  })
  expect(tcpHandBuilt.outcome.kind).toBe('reply')
  expect(shape(tcpHandBuilt)).toEqual(shape(tcpFlannel))
})
