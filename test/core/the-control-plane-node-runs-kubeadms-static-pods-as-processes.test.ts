import { expect, test } from 'vitest'
import { controlPlaneCommand } from '../../src-main/core/kube/control-plane-commands.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * kubeadm's control plane runs as static pods on its first node, so that node's `ps` lists a
 * /pause sandbox and the manifest's command line (kubeadm writes a bare binary name, so that is
 * argv[0]) for etcd, kube-apiserver, kube-controller-manager and kube-scheduler. A worker runs none.
 */
const sim = labShell()
const site = {
  ip: '192.168.56.11',
  node: 'node-1',
  serviceCIDR: '10.96.0.0/12',
  podCIDR: '10.244.0.0/16'
}
const commands = (['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const).map((c) =>
  controlPlaneCommand(c, site).join(' ')
)

test('ps aux on the control-plane node lists each component with its manifest command line', () => {
  const rows = run(sim, 'node-1', 'ps aux').stdout.split('\n')
  for (const command of commands) {
    const row = rows.find((r) => r.endsWith(` ${command}`))
    expect(row, command.split(' ')[0]).toMatch(/^root +\d+ .* \? +Ssl /)
  }
})

test('ps -ef and ps -e name the same processes, each after the /pause of its sandbox', () => {
  const ef = run(sim, 'node-1', 'ps -ef').stdout.split('\n')
  const pidOf = (command: string): number =>
    Number(ef.find((r) => r.endsWith(` ${command}`))?.split(/ +/)[1] ?? Number.NaN)
  const names = run(sim, 'node-1', 'ps -e').stdout
  for (const command of commands) {
    const pid = pidOf(command)
    expect(pid).toBeGreaterThan(0)
    const name = command.split(' ')[0]!
    expect(names).toMatch(new RegExp(`^ +${pid} \\? +\\d\\d:\\d\\d:\\d\\d ${name}$`, 'm'))
    const pause = ef.filter((r) => r.endsWith(' /pause')).map((r) => Number(r.split(/ +/)[1]))
    expect(pause.some((p) => p < pid && p > pid - 25)).toBe(true)
  }
})

test('a worker node runs no control-plane process', () => {
  const out = run(sim, 'node-2', 'ps aux').stdout
  for (const command of commands) expect(out).not.toContain(command.split(' ')[0] + ' --')
})
