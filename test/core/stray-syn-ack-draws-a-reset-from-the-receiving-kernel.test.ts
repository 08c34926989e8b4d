import { describe, expect, test } from 'vitest'
import { readFileSync } from 'node:fs'
import { labShellFromYaml, run } from './shell-fixture.ts'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { sendProbe } from '../../src-main/core/engine/probe.ts'

/**
 * Lesson 07's fault: node-1 runs with bridge-nf-call-iptables=0, so web-1's SYN-ACK to a client
 * on the same bridge is never un-DNATed and reaches the client from 10.244.1.3:8080. No socket
 * owns that segment, so the client's kernel answers it as tcp_v4_send_reset does: a bare RST
 * whose sequence number is the SYN-ACK's acknowledgement. The RST is bridged too, so node-1's
 * conntrack entry stays SYN_SENT [UNREPLIED].
 */
function strayConnection(): LabShell {
  const lab = labShellFromYaml(readFileSync('lessons/07-lab-bridge-nf/scenario.yaml', 'utf8'))
  for (let i = 0; i < 40; i++) {
    if (run(lab, 'client', 'curl -sS -m 2 http://10.96.0.100/').exitCode === 28) return lab
  }
  throw new Error('40 connections and kube-proxy never picked web-1')
}

describe('a SYN-ACK that no socket owns', () => {
  test("the client's kernel resets it, and web-1 receives the reset", () => {
    const lab = strayConnection()
    // The last exchange: the socket is still connecting, so its retransmitted SYN meets the same fate.
    const atClient = run(lab, 'client', 'tcpdump -nn -i eth0').stdout.trimEnd().split('\n').slice(-3)
    expect(atClient[0]).toMatch(/IP 10\.244\.1\.2\.(\d+) > 10\.96\.0\.100\.80: Flags \[S\]/)
    const synAck = /IP 10\.244\.1\.3\.8080 > 10\.244\.1\.2\.(\d+): Flags \[S\.\], seq \d+, ack (\d+),/.exec(
      atClient[1]!
    )
    expect(synAck).not.toBeNull()
    expect(atClient[2]!.slice(16)).toBe(
      `IP 10.244.1.2.${synAck![1]} > 10.244.1.3.8080: Flags [R], seq ${synAck![2]}, win 0, length 0`
    )
    // The reset answers the SYN-ACK as it arrives: a wire after the SYN-ACK left web-1.
    expect(atClient[2]!.slice(0, 15) >= atClient[1]!.slice(0, 15)).toBe(true)
    expect(run(lab, 'web-1', 'tcpdump -nn -i eth0').stdout).toContain(
      `IP 10.244.1.2.${synAck![1]} > 10.244.1.3.8080: Flags [R]`
    )
  })

  test('the bridged reset leaves node-1’s entry unreplied', () => {
    const lab = strayConnection()
    expect(run(lab, 'node-1', 'conntrack -L -p tcp').stdout).toMatch(
      /SYN_SENT src=10\.244\.1\.2 dst=10\.96\.0\.100 sport=\d+ dport=80 \[UNREPLIED\] src=10\.244\.1\.3/
    )
  })

  test('the trace follows the reset from the client to web-1', () => {
    const lab = strayConnection()
    let trace = sendProbe(lab.lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    for (let i = 0; i < 40 && trace.outcome.kind === 'reply'; i++)
      trace = sendProbe(lab.lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    expect(trace.outcome.kind).toBe('no-reply')
    const resets = trace.hops.filter((h) => {
      const l4 = (h.after ?? h.before)?.l4
      return l4?.kind === 'tcp' && l4.flags === 'R'
    })
    expect(resets.some((h) => h.netns === 'client')).toBe(true)
    expect(resets.some((h) => h.netns === 'web-1')).toBe(true)
  })
})
