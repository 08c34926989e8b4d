import { spawnSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { labShell } from '../core/shell-fixture.ts'
import { realLabUnavailable } from './real-lab.ts'

/**
 * `conntrack -E` in a real namespace and in the simulator, during the same curl to a ClusterIP
 * that DNATs to a backend on 8080: the NEW and the first UPDATE line, the client's ephemeral
 * port masked as it is random on both sides.
 */

const unavailable = realLabUnavailable()
const CLIENT = '10.244.1.2'
const SERVICE = '10.96.0.100'

const maskPorts = (line: string): string =>
  line.replace(/(sport|dport)=(\d+)/g, (m, key: string, port: string) =>
    port === '80' || port === '8080' ? m : `${key}=EPHEMERAL`
  )
const firstTwoTcp = (out: string): string[] =>
  out
    .split('\n')
    .filter((l) => / tcp {6}6 /.test(l))
    .slice(0, 2)
    .map(maskPorts)

function simulated(): { lines: string[]; backend: string } {
  const s = labShell()
  const schedule = (): (() => void) => () => undefined
  const events = s.liveTerminal('node-1', { schedule })!
  events.run('conntrack -E')
  const name = s.liveTerminal('client', { schedule })!.run(`curl -s ${SERVICE}`).stdout.trim()
  const out = events
    .settle()
    .chunks.map((c) => c.text)
    .join('')
  return { lines: firstTwoTcp(out), backend: formatIpv4(s.lab.pods.find((p) => p.name === name)!.ip) }
}

/** The same flow between two namespaces: the client's OUTPUT DNATs the Service to the backend. */
function real(backend: string): string[] {
  const script = `
set -u
A=pnl-strm-client; B=pnl-strm-backend
cleanup() { kill $SERVER 2>/dev/null; ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; }
SERVER=
trap cleanup EXIT
ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null
ip netns add $A; ip netns add $B
ip link add pnl-strm0 netns $A type veth peer name eth0 netns $B
ip -n $A link set lo up; ip -n $A link set pnl-strm0 up; ip -n $A addr add ${CLIENT}/16 dev pnl-strm0
ip -n $B link set lo up; ip -n $B link set eth0 up; ip -n $B addr add ${backend}/16 dev eth0
ip -n $A route add default via ${backend}
ip netns exec $A iptables -t nat -A OUTPUT -d ${SERVICE}/32 -p tcp --dport 80 -j DNAT --to-destination ${backend}:8080
ip netns exec $B socat TCP-LISTEN:8080,reuseaddr SYSTEM:'echo HTTP/1.0 200 OK; echo' &
SERVER=$!
ip netns exec $A conntrack -E > /tmp/pnl-strm-events.txt 2>/dev/null &
EVENTS=$!
sleep 0.5
ip netns exec $A curl -s -m 5 http://${SERVICE}/ >/dev/null
sleep 0.5
kill -INT $EVENTS; wait $EVENTS
cat /tmp/pnl-strm-events.txt; rm -f /tmp/pnl-strm-events.txt
`
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 })
  return firstTwoTcp(r.stdout)
}

describe.skipIf(unavailable !== undefined)('conntrack -E against the kernel', () => {
  test('the NEW and the SYN_RECV UPDATE of a curl through a DNAT read as the kernel prints them', () => {
    const sim = simulated()
    expect(sim.lines).toHaveLength(2)
    expect(real(sim.backend)).toEqual(sim.lines)
  })
})
