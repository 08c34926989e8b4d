import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/** The learned (neither permanent nor self) entries of `bridge fdb show br cni0`. */
function learned(fdb: string): string[] {
  return fdb.split('\n').filter((l) => l.includes(' master cni0') && !l.includes('permanent'))
}

test('before any IPv4 traffic, cni0 has learned every pod’s MAC on that pod’s veth', () => {
  const s = labShell('two-node-vxlan')
  const fdb = run(s, 'node-1', 'bridge fdb show br cni0').stdout
  const pods = run(s, 'node-1', 'kubectl get pods -o wide')
    .stdout.split('\n')
    .filter((l) => l.includes(' node-1 '))
  expect(pods.length).toBeGreaterThan(1)
  expect(learned(fdb)).toHaveLength(pods.length)
  const clientMac = /link\/ether (\S+)/.exec(run(s, 'client', 'ip link show eth0').stdout)![1]
  expect(learned(fdb).some((l) => l.startsWith(`${clientMac} dev veth`))).toBe(true)
})

test('a pod link brought down and up again is learned again once the bridge has forgotten it', () => {
  const s = labShell('two-node-vxlan')
  run(s, 'node-1', 'sleep 301')
  expect(learned(run(s, 'node-1', 'bridge fdb show br cni0').stdout)).toEqual([])
  run(s, 'client', 'ip link set eth0 down')
  run(s, 'client', 'ip link set eth0 up')
  expect(learned(run(s, 'node-1', 'bridge fdb show br cni0').stdout)).toHaveLength(1)
})
