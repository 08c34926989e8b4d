import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * kube-proxy's nftables `cluster-ips-check` rejects a node's own ping to a ClusterIP in the
 * output hook. nf_send_unreach addresses the error to the ping's source, a local address, so
 * routing gives the error that same source; the hook's drop verdict fails sendmsg with EPERM.
 * Real iputils in a namespace with that rule (Linux 6.18) prints both, once per echo:
 *   stdout  From 192.168.56.11 icmp_seq=1 Destination Port Unreachable
 *   stderr  ping: sendmsg: Operation not permitted
 */
describe('a REJECT in the output hook (kube-proxy nftables mode)', () => {
  test("the node's ping to a ClusterIP is answered from its own address and sendmsg fails", () => {
    const r = run(labShell('two-node-nftables'), 'node-1', 'ping -c 2 -W 1 10.96.0.200')
    expect(r.stdout).toContain('From 192.168.56.11 icmp_seq=1 Destination Port Unreachable\n')
    expect(r.stdout).toContain('From 192.168.56.11 icmp_seq=2 Destination Port Unreachable\n')
    expect(r.stdout).toContain('2 packets transmitted, 0 received, +2 errors, 100% packet loss')
    expect(r.stderr).toBe('ping: sendmsg: Operation not permitted\nping: sendmsg: Operation not permitted\n')
    expect(r.exitCode).toBe(1)
  })

  test("a pod's ping is rejected in forward: the error comes from the pod's gateway, sendmsg succeeds", () => {
    const r = run(labShell('two-node-nftables'), 'client', 'ping -c 1 -W 1 10.96.0.200')
    expect(r.stdout).toContain('From 10.244.1.1 icmp_seq=1 Destination Port Unreachable\n')
    expect(r.stderr).toBe('')
  })
})
