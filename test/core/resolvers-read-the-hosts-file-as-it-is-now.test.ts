import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * `hosts: files dns`: glibc's files backend reads /etc/hosts at every lookup, so a line a
 * learner appends on a node names an address for getent, ping, curl, traceroute and tcpdump's
 * filter at once, and a file written over loses the names it held. dig, nslookup and host
 * ask DNS only. The pod side is compared with the real tools in
 * test/conformance/cluster-dns-resolves-as-glibc-and-bind-tools-do.test.ts.
 */

test('a name appended on a node resolves for every glibc caller, but not for nslookup', () => {
  const sim = labShell()
  const pod = run(sim, 'node-1', 'kubectl get pods -o wide').stdout.split('\n')[1]!.split(/ +/)
  const ip = pod[5]!
  expect(run(sim, 'node-1', `echo '${ip} far Farther # by hand' >> /etc/hosts`).exitCode).toBe(0)
  expect(run(sim, 'node-1', 'getent hosts FARTHER').stdout).toBe(`${ip.padEnd(15)} far Farther\n`)
  expect(run(sim, 'node-1', `getent hosts ${ip}`).stdout).toBe(`${ip.padEnd(15)} far Farther\n`)
  expect(run(sim, 'node-1', 'ping -c 1 farther').stdout).toMatch(
    new RegExp(`^PING far \\(${ip.replace(/\./g, '\\.')}\\) 56\\(84\\) bytes of data\\.\\n64 bytes from far `)
  )
  expect(run(sim, 'node-1', 'traceroute -n -q 1 far').stdout).toContain(`traceroute to far (${ip})`)
  expect(run(sim, 'node-1', 'curl -sS -m 1 http://far:1/').stderr).not.toContain('Could not resolve host')
  expect(run(sim, 'node-1', 'tcpdump -c 1 -n -i any host far').stderr).not.toContain('unknown host')
  expect(run(sim, 'node-1', 'nslookup far').stdout).not.toContain(ip)
})

test('a node whose hosts file is written over no longer knows its own name', () => {
  const sim = labShell()
  expect(run(sim, 'node-1', 'getent hosts node-1').stdout).toBe('127.0.1.1       node-1\n')
  run(sim, 'node-1', "echo '127.0.0.1 localhost' > /etc/hosts")
  expect(run(sim, 'node-1', 'getent hosts node-1').exitCode).toBe(2)
  expect(run(sim, 'node-1', 'ping -c 1 node-1').exitCode).toBe(2)
})
