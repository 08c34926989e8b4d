import { expect, it } from 'vitest'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

/**
 * iputils 20221126's finish() prints `time` as cur_time - start_time, and only pinger() moves
 * cur_time, when it sends: the time runs from the first echo to the last one sent and leaves
 * out the wait for the last reply. pinger() spaces echoes an interval apart from the previous
 * send, so the PTR lookup that names each reply's sender (pr_addr) delays no echo unless it
 * outlasts the interval.
 */
const yaml = dnsClusterYaml({ id: 'ping-time', webOn: ['node-2'], webService: true })

it('echoes named by PTR lookups leave an interval apart, and the time spans first to last', () => {
  const s = labShellFromYaml(yaml)
  const web = formatIpv4(s.lab.pods.find((p) => p.name === 'web-1')!.ip)
  const name = `${web.replace(/\./g, '-')}.default.pod.cluster.local`
  const r = run(s, 'client', `ping -c 3 ${name}`)
  expect(r.stdout).toContain(
    `64 bytes from ${web.replace(/\./g, '-')}.web.default.svc.cluster.local (${web})`
  )
  const capture = run(s, 'client', 'tcpdump -nn -tt -i eth0').stdout.split('\n')
  expect(capture.filter((l) => l.includes('PTR?'))).toHaveLength(3)
  const sentAt = capture
    .filter((l) => l.includes('ICMP echo request'))
    .map((l) => Math.round(Number(l.split(' ')[0]) * 1e6))
  expect(sentAt).toHaveLength(3)
  const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!)
  for (const gap of gaps) {
    expect(gap % 1000).toBe(0)
    expect(gap / 1000).toBeGreaterThanOrEqual(1001)
    expect(gap / 1000).toBeLessThanOrEqual(1004)
  }
  const time = Number(/, time (\d+)ms\n/.exec(r.stdout)?.[1])
  expect(time).toBe((sentAt[2]! - sentAt[0]!) / 1000)
})

it('a single echo counts no time: the only send is the first', () => {
  const s = labShellFromYaml(yaml)
  const web = formatIpv4(s.lab.pods.find((p) => p.name === 'web-1')!.ip)
  expect(run(s, 'client', `ping -c 1 ${web}`).stdout).toContain(
    '1 packets transmitted, 1 received, 0% packet loss, time 0ms\n'
  )
})
