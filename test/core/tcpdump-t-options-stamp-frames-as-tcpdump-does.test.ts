import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * tcpdump 4.99's timestamp per -t count, as it printed two SYNs one second apart on a real
 * namespace: ` 00:00:01.020939 IP …` for -ttt (the leading space is a negative delta's sign),
 * `2026-12-06 23:10:55.338180 IP …` for -tttt, `1796598655.338180 IP …` for -tt.
 */
test('tcpdump -t, -tt, -ttt, -tttt and -ttttt stamp frames as tcpdump does', () => {
  const s = labShell('two-node-vxlan')
  run(s, 'node-2', 'iptables -I FORWARD -p tcp --dport 8080 -j DROP')
  run(s, 'client', 'curl -sS -m 4 http://10.244.2.2:8080/')
  const stamps = (flag: string): string[] =>
    run(s, 'client', `tcpdump -nn ${flag} -i eth0 tcp`)
      .stdout.split('\n')
      .flatMap((l) => (l === '' ? [] : [l.slice(0, l.indexOf('IP '))]))
  const [first] = stamps('')
  expect(first).toMatch(/^\d\d:\d\d:\d\d\.\d{6} $/)
  expect(stamps('-t')).toEqual(['', '', ''])
  // The first SYN waited 26 µs for the gateway's ARP answer; the retransmissions did not.
  expect(stamps('-ttt')).toEqual([' 00:00:00.000000 ', ' 00:00:00.999974 ', ' 00:00:02.000000 '])
  expect(stamps('-ttttt')).toEqual([' 00:00:00.000000 ', ' 00:00:00.999974 ', ' 00:00:02.999974 '])
  const epoch = stamps('-tt').map((x) => Number(x))
  expect(stamps('-tt')[0]).toMatch(/^\d{10}\.\d{6} $/)
  expect(epoch[2]! - epoch[0]!).toBeCloseTo(2.999974, 6)
  const dated = stamps('-tttt')
  expect(dated[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} $/)
  // The date and the time of day are the same instant as the plain stamp's.
  expect(dated[0]!.slice(11)).toBe(first)
  expect(new Date(`${dated[0]!.trim().replace(' ', 'T')}Z`).getTime() / 1000).toBeCloseTo(epoch[0]!, 3)
})
