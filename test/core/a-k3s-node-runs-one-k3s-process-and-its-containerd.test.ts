import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * k3s runs the kubelet, kube-proxy, flannel and (on the server) the control plane inside one
 * process, whose title it cuts to `k3s server` or `k3s agent` so that tokens in its arguments
 * stay out of `ps`; the containerd it starts is its child, listening on k3s's own socket, and the
 * shims come from the binaries k3s unpacked under /var/lib/rancher/k3s/data.
 */

const rows = (text: string): string[][] =>
  text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/ +/))

test('the server runs `k3s server`, an agent `k3s agent`, each with containerd as its child and no kubelet', () => {
  const sim = labShell('three-node-k3s')
  for (const [node, role] of [
    ['server', 'server'],
    ['agent-1', 'agent']
  ] as const) {
    const ef = run(sim, node, 'ps -ef')
    expect(ef.exitCode).toBe(0)
    const k3s = rows(ef.stdout).find((r) => r.slice(7).join(' ') === `/usr/local/bin/k3s ${role}`)
    const containerd = rows(ef.stdout).find((r) => r.slice(7).join(' ') === 'containerd')
    expect(k3s, ef.stdout).toBeDefined()
    expect(containerd?.[2]).toBe(k3s?.[1])
    expect(ef.stdout).not.toContain('kubelet')
    expect(ef.stdout).not.toContain('/usr/bin/containerd')
  }
})

test('every sandbox shim on a k3s node is k3s’s own, on k3s’s containerd socket', () => {
  const sim = labShell('three-node-k3s')
  const shims = run(sim, 'agent-1', 'ps aux | grep [c]ontainerd-shim').stdout.trim().split('\n')
  expect(shims.length).toBeGreaterThan(0)
  for (const shim of shims)
    expect(shim).toMatch(
      / \/var\/lib\/rancher\/k3s\/data\/[0-9a-f]{64}\/bin\/containerd-shim-runc-v2 -namespace k8s\.io -id [0-9a-f]{64} -address \/run\/k3s\/containerd\/containerd\.sock$/
    )
})

test('ps -ef shows the CPU time ps aux shows, as HH:MM:SS, and ps as the child of the shell', () => {
  const sim = labShell()
  const aux = new Map(rows(run(sim, 'node-1', 'ps aux').stdout).map((r) => [r[1], r[9]]))
  const ef = rows(run(sim, 'node-1', 'ps -ef').stdout)
  for (const r of ef) {
    const [minutes, seconds] = (aux.get(r[1]) ?? '').split(':')
    const m = Number(minutes)
    expect(r[6], r.join(' ')).toBe(
      `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:${seconds}`
    )
  }
  const shell = ef.find((r) => r[7] === '-bash')
  expect(ef.at(-1)?.slice(7).join(' ')).toBe('ps -ef')
  expect(ef.at(-1)?.[2]).toBe(shell?.[1])
})
