import { expect, test } from 'vitest'
import type { BridgeLink, VethLink } from '../../src-main/core/linux/link.ts'
import { newNetns } from '../../src-main/core/linux/netns.ts'
import { addLink, enslave, learnFdb, type FdbIndex } from '../../src-main/core/linux/ops.ts'

function bridgeWithPort(): { br: BridgeLink; port: number } {
  const ns = newNetns('pnl-fdb', 'node')
  const br = addLink<BridgeLink>(ns, {
    kind: 'bridge',
    name: 'cni0',
    mtu: 1450,
    mac: '02:00:00:00:00:01',
    up: true,
    fdb: [],
    ageingTime: 300,
    nextPortNo: 1
  })
  const veth = addLink<VethLink>(ns, {
    kind: 'veth',
    name: 'veth1',
    mtu: 1450,
    mac: '02:00:00:00:00:02',
    up: true,
    peer: { netns: 'pod', ifindex: 2 }
  })
  enslave(veth, br, 0)
  return { br, port: veth.ifindex }
}

test('an entry appended without the index is found through it, not learned twice', () => {
  const { br, port } = bridgeWithPort()
  const index: FdbIndex = new WeakMap()
  expect(learnFdb(br, '0a:00:00:00:00:01', port, 1, index)).toBe(true)
  br.fdb.push({ mac: '0a:00:00:00:00:02', port, permanent: false, local: false, updatedAt: 2 })
  expect(learnFdb(br, '0a:00:00:00:00:02', port, 3, index)).toBe(false)
  expect(br.fdb.filter((e) => e.mac === '0a:00:00:00:00:02')).toHaveLength(1)
  expect(br.fdb.find((e) => e.mac === '0a:00:00:00:00:02')?.updatedAt).toBe(3)
})

test('an entry deleted or aged out since the index looked is learned anew', () => {
  const { br, port } = bridgeWithPort()
  const index: FdbIndex = new WeakMap()
  learnFdb(br, '0a:00:00:00:00:01', port, 1, index)
  learnFdb(br, '0a:00:00:00:00:09', port, 1, index)
  br.fdb = br.fdb.filter((e) => e.permanent)
  expect(learnFdb(br, '0a:00:00:00:00:01', port, 2, index)).toBe(true)
  expect(br.fdb.filter((e) => e.mac === '0a:00:00:00:00:01')).toEqual([
    { mac: '0a:00:00:00:00:01', port, permanent: false, local: false, updatedAt: 2 }
  ])
})

test('learning through the index leaves the table a scan would leave', () => {
  const indexed = bridgeWithPort()
  const scanned = bridgeWithPort()
  const index: FdbIndex = new WeakMap()
  const macs = ['0a:00:00:00:00:01', '02:00:00:00:00:02', '0a:00:00:00:00:03', '0a:00:00:00:00:01']
  const moves = macs.map((mac, i) => [
    learnFdb(indexed.br, mac, indexed.port + (i % 2), i, index),
    learnFdb(scanned.br, mac, scanned.port + (i % 2), i)
  ])
  for (const [viaIndex, viaScan] of moves) expect(viaIndex).toBe(viaScan)
  expect(indexed.br.fdb).toEqual(scanned.br.fdb)
})
