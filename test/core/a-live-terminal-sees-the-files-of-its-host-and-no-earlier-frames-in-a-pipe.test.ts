import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

const live = { schedule: () => () => undefined }

test('a file written on a target (as a scenario’s setup line writes it) is there in every terminal on that target, and only there', () => {
  const s = labShell()
  run(s, 'client', "printf 'nameserver 10.96.0.53\\n' > /etc/resolv.conf")
  const first = s.liveTerminal('client', live)!
  const second = s.liveTerminal('client', live)!
  expect(first.run('cat /etc/resolv.conf').stdout).toBe('nameserver 10.96.0.53\n')
  second.run('echo from-the-second >> /etc/resolv.conf')
  expect(first.run('cat /etc/resolv.conf').stdout).toBe('nameserver 10.96.0.53\nfrom-the-second\n')
  // Closing a terminal leaves the disk as it was.
  second.release()
  expect(first.run('tail -n 1 /etc/resolv.conf').stdout).toBe('from-the-second\n')
  expect(s.liveTerminal('node-1', live)!.run('cat /etc/resolv.conf').stdout).not.toContain('10.96.0.53')
})

test('a capture in a live terminal’s pipe starts and stops at once: the frames of the line before do not pass for ones seen now', () => {
  const s = labShell()
  const node = s.liveTerminal('node-1', live)!
  run(s, 'client', 'curl -s 10.96.0.100')
  const piped = node.run('tcpdump -nn -i cni0 tcp | grep -c Flags')
  expect(piped.running).toBeUndefined()
  expect(piped.stdout).toBe('0\n')
  expect(piped.stderr).toContain('0 packets captured\n')
  // Run as a job, the same capture sees the next curl as it happens.
  node.run('tcpdump -c 1 -nn -i cni0 tcp &')
  run(s, 'client', 'curl -s 10.96.0.100')
  expect(node.settle().jobsEnded?.[0]?.output).toMatch(/Flags \[S\]/)
})
