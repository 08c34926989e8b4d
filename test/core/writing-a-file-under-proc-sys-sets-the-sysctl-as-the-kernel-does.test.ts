import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

test('echo > and >> a file under /proc/sys set the namespace’s sysctl, which sysctl and cat then show', () => {
  const s = labShell()
  expect(run(s, 'node-1', 'echo 0 > /proc/sys/net/ipv4/ip_forward')).toEqual({
    stdout: '',
    stderr: '',
    exitCode: 0
  })
  expect(run(s, 'node-1', 'sysctl net.ipv4.ip_forward net.ipv4.conf.all.forwarding').stdout).toBe(
    'net.ipv4.ip_forward = 0\nnet.ipv4.conf.all.forwarding = 0\n'
  )
  run(s, 'node-1', 'echo 1 >> /proc/sys/net/ipv4/ip_forward')
  expect(run(s, 'node-1', 'cat /proc/sys/net/ipv4/ip_forward').stdout).toBe('1\n')
  run(s, 'node-1', 'echo 3 | cat > /proc/sys/net/ipv4/tcp_syn_retries')
  run(s, 'node-1', "echo ' 5 ' > /proc/sys/net/ipv4/tcp_syn_retries")
  expect(run(s, 'node-1', 'sysctl -n net.ipv4.tcp_syn_retries').stdout).toBe('5\n')
  // A pod's namespace has sysctls of its own.
  run(s, 'client', 'echo 1 > /proc/sys/net/ipv4/conf/eth0/forwarding')
  expect(run(s, 'client', 'sysctl -n net.ipv4.conf.eth0.forwarding').stdout).toBe('1\n')
  expect(run(s, 'node-1', 'sysctl -n net.ipv4.tcp_syn_retries').stdout).toBe('5\n')
})

test('a value the kernel refuses is a write error, and a path that is no sysctl fails to open, in bash’s words', () => {
  const s = labShell()
  const cases: [string, string][] = [
    ['echo abc > /proc/sys/net/ipv4/ip_forward', 'bash: echo: write error: Invalid argument\n'],
    ['echo 999 > /proc/sys/net/ipv4/tcp_syn_retries', 'bash: echo: write error: Invalid argument\n'],
    ['printf x > /proc/sys/net/ipv4/ip_forward', 'bash: printf: write error: Invalid argument\n'],
    ['echo 1 > /proc/sys/net/ipv4/nope', 'bash: /proc/sys/net/ipv4/nope: No such file or directory\n'],
    ['echo 1 > /proc/sys/net', 'bash: /proc/sys/net: Is a directory\n']
  ]
  for (const [line, stderr] of cases)
    expect(run(s, 'node-1', line), line).toEqual({ stdout: '', stderr, exitCode: 1 })
  expect(
    run(s, 'node-1', 'cat /proc/sys/net/ipv4/ip_forward; cat /proc/sys/net/ipv4/tcp_syn_retries').stdout
  ).toBe('1\n6\n')
})
