import { describe, expect, test } from 'vitest'
import { initialWindow } from '../../src-main/core/engine/tcp-socket.ts'
import { labShell, run } from './shell-fixture.ts'

// The values are what tcpdump printed for curl between two real namespaces on a veth of MTU
// 1500 and of MTU 1450 (Linux 6.1): `win 64240`/`65160` and `win 64860`/`64308`.
describe('the window Linux offers when a connection opens', () => {
  test.each([
    [1460, 64240, 65160],
    [1410, 64860, 64308]
  ])('MSS %i: SYN %i, SYN-ACK %i', (mss, syn, synAck) => {
    expect(initialWindow(mss, false)).toBe(syn)
    expect(initialWindow(mss, true)).toBe(synAck)
  })

  test('a refused connection is reset with no window', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'curl -s http://10.244.2.2:9999/').exitCode).toBe(7)
    const lines = run(s, 'client', 'tcpdump -nn -i eth0 tcp').stdout.trim().split('\n')
    expect(lines[1]).toMatch(/Flags \[R\.\], seq 0, ack \d+, win 0, length 0$/)
  })

  test('a pod behind flannel’s 1450 MTU opens with 64860 and is answered with 64308', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'curl -s http://10.244.2.2:8080/').exitCode).toBe(0)
    const lines = run(s, 'client', 'tcpdump -nn -i eth0 tcp').stdout.trim().split('\n')
    expect(lines[0]).toMatch(/Flags \[S\], seq \d+, win 64860, options \[mss 1410,/)
    expect(lines[1]).toMatch(/Flags \[S\.\], seq \d+, ack \d+, win 64308, options \[mss 1410,/)
  })
})
