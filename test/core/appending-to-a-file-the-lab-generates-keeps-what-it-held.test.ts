import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

const live = { schedule: () => () => undefined }

const POD_RESOLV_CONF =
  'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n'

test('echo >> /etc/resolv.conf in a one-shot line adds a line after the ones kubelet wrote', () => {
  const s = labShell()
  expect(run(s, 'client', 'echo options ndots:2 >> /etc/resolv.conf').exitCode).toBe(0)
  expect(run(s, 'client', 'cat /etc/resolv.conf').stdout).toBe(`${POD_RESOLV_CONF}options ndots:2\n`)
})

test('echo >> /etc/resolv.conf in a live terminal adds a line after the ones kubelet wrote', () => {
  const s = labShell()
  const terminal = s.liveTerminal('client', live)!
  terminal.run('echo options ndots:2 >> /etc/resolv.conf')
  expect(terminal.run('cat /etc/resolv.conf').stdout).toBe(`${POD_RESOLV_CONF}options ndots:2\n`)
})

test('appending to /etc/hosts or flannel’s subnet.env keeps every line they held', () => {
  const s = labShell()
  const hosts = run(s, 'client', 'cat /etc/hosts').stdout
  run(s, 'client', "printf '10.96.0.100\\tweb\\n' >> /etc/hosts")
  expect(run(s, 'client', 'cat /etc/hosts').stdout).toBe(`${hosts}10.96.0.100\tweb\n`)
  const env = run(s, 'node-1', 'cat /run/flannel/subnet.env').stdout
  expect(env).toContain('FLANNEL_SUBNET=')
  run(s, 'node-1', 'echo EXTRA=1 >> /run/flannel/subnet.env')
  expect(run(s, 'node-1', 'cat /run/flannel/subnet.env').stdout).toBe(`${env}EXTRA=1\n`)
})

test('a command reads a file the lab generates through < as it reads it by name', () => {
  const s = labShell()
  expect(run(s, 'client', 'wc -l < /etc/resolv.conf')).toEqual({ stdout: '3\n', stderr: '', exitCode: 0 })
  expect(run(s, 'client', 'grep nameserver < /etc/resolv.conf').stdout).toBe('nameserver 10.96.0.10\n')
})
