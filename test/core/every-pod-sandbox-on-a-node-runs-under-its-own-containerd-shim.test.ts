import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * containerd's CRI plugin starts one containerd-shim-runc-v2 per pod sandbox (the sandbox id is
 * the shim's `-id`; later containers of the pod join that shim through the
 * `io.kubernetes.cri.sandbox-id` annotation), and the shim is the parent of /pause and of every
 * container. So a node's `ps` shows, for each pod on it, system pods included, a shim, a
 * /pause and the running containers, whose PPID is the shim.
 */
const SHIM =
  /^root +(\d+) +1 .* \/usr\/bin\/containerd-shim-runc-v2 -namespace k8s\.io -id ([0-9a-f]{64}) -address \/run\/containerd\/containerd\.sock$/

function podsOn(sim: ReturnType<typeof labShell>, node: string): string[][] {
  return run(sim, node, 'kubectl get pods -A -o wide')
    .stdout.trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/ +/))
    .filter((r) => r[7] === node)
}

test('each pod on a node has one shim, whose children are its /pause and its containers', () => {
  const sim = labShell()
  for (const node of ['node-1', 'node-2']) {
    const rows = run(sim, node, 'ps -ef').stdout.trim().split('\n')
    const shims = rows.flatMap((r) => {
      const m = SHIM.exec(r)
      return m ? [Number(m[1])] : []
    })
    expect(shims).toHaveLength(podsOn(sim, node).length)
    const children = (shim: number): string[] =>
      rows.filter((r) => Number(r.split(/ +/)[2]) === shim).map((r) => r.split(/ +/).slice(7).join(' '))
    for (const shim of shims) {
      const [pause, ...containers] = children(shim)
      expect(pause).toBe('/pause')
      expect(containers.length).toBeGreaterThan(0)
    }
    const under = shims.flatMap(children)
    expect(under.some((c) => c.startsWith('/opt/bin/flanneld '))).toBe(true)
    expect(under.some((c) => c.startsWith('/usr/local/bin/kube-proxy '))).toBe(true)
  }
})

test('the shim is named after the sandbox id crictl lists for the pod', () => {
  const sim = labShell()
  const ids = run(sim, 'node-2', 'crictl pods -q').stdout.trim().split('\n')
  const shimIds = run(sim, 'node-2', 'ps ax')
    .stdout.split('\n')
    .flatMap((r) => /containerd-shim-runc-v2 -namespace k8s\.io -id ([0-9a-f]{64})/.exec(r)?.slice(1) ?? [])
  expect(ids.length).toBeGreaterThan(0)
  expect(new Set(shimIds)).toEqual(new Set(ids))
})

test('a crash-looping flanneld is not a process, while its sandbox and shim stay', () => {
  const sim = labShell()
  run(sim, 'node-1', 'kubectl -n kube-flannel set env ds/kube-flannel-ds FLANNELD_IFACE=ethX')
  const ps = run(sim, 'node-1', 'ps ax').stdout
  expect(ps).not.toContain('/opt/bin/flanneld')
  expect(ps.match(/containerd-shim-runc-v2/g)).toHaveLength(podsOn(sim, 'node-1').length)
})
