import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { CapturedFrame } from '../../src-main/core/engine/trace.ts'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import {
  allInterfacesPcapng,
  capturePointsOf,
  interfacePcap,
  recordingFrames
} from '../../src-main/core/shell/trace-pcap.ts'
import { tempDir } from '../e2e/harness.ts'
import { toolUnavailable } from '../required-tool.ts'
import { labShellFromYaml, run } from './shell-fixture.ts'

const tshark = '/usr/bin/tshark'
/** net.ipv4.ip_local_port_range's default, the range udp_flow_src_port scales its hash into. */
const EPHEMERAL = { low: 32768, high: 60999 }
/** tshark starts in seconds on a busy machine, and these tests start it once per interface. */
const TSHARK_TIMEOUT_MS = 180_000

/** The reference lab with the `web` Service's only endpoint on node-2 (web-3) or on the client's node (web-1). */
function labServedBy(pod: 'web-1' | 'web-3'): LabShell {
  const text = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8')
  const only = text.replace(
    /(- name: (web-\d)\n\s+node: node-\d\n\s+labels: \{ app: )web( \})/g,
    (all, head: string, name: string, tail: string) => (name === pod ? all : `${head}other${tail}`)
  )
  return labShellFromYaml(only, 'two-node-vxlan.yaml')
}

function curlFrames(shell: LabShell): CapturedFrame[] {
  const { result, frames } = recordingFrames(shell.lab, () =>
    run(shell, 'client', 'curl -s http://10.96.0.100/')
  )
  expect(result.exitCode).toBe(0)
  return frames
}

const increasing = (times: number[]): boolean => times.every((t, i) => i === 0 || t > times[i - 1]!)

describe.skipIf(toolUnavailable(tshark, 'apt-get install tshark') !== null)(
  'captures of a curl, opened in real tshark',
  () => {
    let dir: { path: string; remove: () => void }
    beforeAll(() => {
      dir = tempDir('podnet-tshark-')
    })
    afterAll(() => dir.remove())

    const tsharkOut = (file: string, ...args: string[]): string =>
      execFileSync(tshark, ['-r', file, '-d', 'udp.port==8472,vxlan', ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        // tshark keeps a profile under HOME; a fresh one keeps this machine's preferences out.
        env: { ...process.env, HOME: dir.path }
      })
    const fields = (file: string, filter: string, ...names: string[]): string[][] =>
      tsharkOut(file, '-Y', filter, '-E', 'occurrence=f', '-T', 'fields', ...names.flatMap((n) => ['-e', n]))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t'))

    function write(name: string, bytes: Uint8Array | undefined): string {
      expect(bytes, name).toBeDefined()
      const path = join(dir.path, name.replace('/', '_'))
      writeFileSync(path, bytes!)
      return path
    }

    test(
      'each interface a curl to a Service on the other node crosses is a clean capture of its own',
      () => {
        const shell = labServedBy('web-3')
        const frames = curlFrames(shell)
        const points = capturePointsOf(frames).map((p) => p.id)
        const onPath = ['client/eth0', 'node-1/cni0', 'node-1/flannel.1', 'node-1/eth0', 'node-2/eth0']
        expect(points).toEqual(expect.arrayContaining(onPath))
        for (const point of points) {
          const file = write(`${point}.pcap`, interfacePcap(shell.lab, frames, point))
          // One run per file: the frames' stamps and expert messages, then the expert summary.
          const printed = tsharkOut(
            file,
            '-z',
            'expert',
            '-T',
            'fields',
            '-e',
            'frame.time_epoch',
            '-e',
            '_ws.expert.message',
            '-e',
            'frame.protocols'
          )
          expect(printed, point).not.toMatch(
            /retransmission|duplicate|malformed|out-of-order|previous segment/i
          )
          expect(printed, point).not.toMatch(/^(Errors|Warnings) \(/m)
          const rows = printed
            .split('\n')
            .filter((l) => /^\d+\.\d+\t/.test(l))
            .map((l) => l.split('\t'))
          expect(increasing(rows.map((r) => Number(r[0]))), point).toBe(true)
          // The handshake, request and answer with their ACKs, both FINs and the last ACK; the
          // ARP exchanges the first packets needed come before them.
          // Other pods' veths heard only the ARP broadcasts.
          const tcp = rows.filter((r) => r[2]!.endsWith(':tcp') || r[2]!.includes(':tcp:'))
          expect(tcp.length === 10 || (tcp.length === 0 && !onPath.includes(point)), point).toBe(true)
          expect(
            rows.slice(0, rows.length - tcp.length).every((r) => r[2]!.endsWith(':arp')),
            point
          ).toBe(true)
        }
      },
      TSHARK_TIMEOUT_MS
    )

    test(
      'the nodes’ eth0 carry VXLAN with one outer source port per flow direction, in the ephemeral range',
      () => {
        const shell = labServedBy('web-3')
        const frames = curlFrames(shell)
        for (const node of ['node-1', 'node-2']) {
          const file = write(`${node}-eth0.pcap`, interfacePcap(shell.lab, frames, `${node}/eth0`))
          const rows = fields(file, 'vxlan', 'ip.src', 'udp.srcport', 'vxlan.vni')
          expect(rows, node).toHaveLength(10)
          expect(rows.every((r) => r[2] === '1')).toBe(true)
          const portsBySender = new Map<string, Set<number>>()
          for (const [sender, port] of rows)
            portsBySender.set(sender!, (portsBySender.get(sender!) ?? new Set()).add(Number(port)))
          expect([...portsBySender.keys()].sort()).toEqual(['192.168.56.11', '192.168.56.12'])
          for (const ports of portsBySender.values()) {
            expect(ports.size).toBe(1)
            const [port] = ports
            expect(port).toBeGreaterThanOrEqual(EPHEMERAL.low)
            expect(port).toBeLessThanOrEqual(EPHEMERAL.high)
          }
          expect(fields(file, 'http.request', 'http.host'), node).toEqual([['10.96.0.100']])
        }
      },
      TSHARK_TIMEOUT_MS
    )

    test(
      'the merged pcapng has one interface per capture point, named netns/device, in time order',
      () => {
        const shell = labServedBy('web-3')
        const frames = curlFrames(shell)
        const file = write('all.pcapng', allInterfacesPcapng(shell.lab, frames))
        const rows = fields(
          file,
          'frame',
          'frame.interface_name',
          'frame.interface_description',
          'frame.time_epoch',
          '_ws.malformed'
        )
        expect(rows).toHaveLength(frames.length)
        const described = new Map(rows.map(([name, description]) => [name!, description!]))
        expect([...described.keys()]).toEqual(capturePointsOf(frames).map((p) => p.id))
        expect(described.get('node-1/cni0')).toBe('cni0 in network namespace node-1')
        expect(increasing(rows.map((r) => Number(r[2])))).toBe(true)
        expect(rows.filter((r) => r[3] !== '')).toEqual([])
      },
      TSHARK_TIMEOUT_MS
    )

    test(
      'cni0 holds the frames it bridges, and a same-node Service request keeps the client’s MAC',
      () => {
        const shell = labServedBy('web-1')
        const frames = curlFrames(shell)
        const clientMac = shell.lab.netns.get('client')!.links.find((l) => l.name === 'eth0')!.mac
        const server = write('web-1.pcap', interfacePcap(shell.lab, frames, 'web-1/eth0'))
        expect(fields(server, 'http.request', 'eth.src', 'ip.src')).toEqual([[clientMac, '10.244.1.2']])
        const bridge = write('cni0.pcap', interfacePcap(shell.lab, frames, 'node-1/cni0'))
        expect(fields(bridge, 'tcp', 'tcp.flags.str')).toHaveLength(10)
      },
      TSHARK_TIMEOUT_MS
    )
  }
)
