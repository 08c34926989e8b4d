import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { labShell, run } from '../core/shell-fixture.ts'
import { repoRoot, tempDir } from '../e2e/harness.ts'
import { toolUnavailable } from '../required-tool.ts'
import { call, failure, withService } from './api-call.ts'

const tcpdump = '/usr/bin/tcpdump'
const tshark = '/usr/bin/tshark'
const scenario = readFileSync(join(repoRoot, 'test/fixtures/scenarios/two-node-vxlan.yaml'), 'utf8')

interface Hop {
  stage: string
  device?: string
  netns: string
  after?: { eth?: { src: string; dst: string }; ip?: { ttl: number; src: string; dst: string } }
}
interface Download {
  fileName: string
  mimeType: string
  base64: string
}

/** A libpcap reader written from the format's description, independent of the writer under test. */
function readPcap(bytes: Buffer): { linkType: number; records: Buffer[] } {
  expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4)
  expect([bytes.readUInt16LE(4), bytes.readUInt16LE(6)]).toEqual([2, 4])
  const linkType = bytes.readUInt32LE(20)
  const records: Buffer[] = []
  let at = 24
  let last = -1
  while (at < bytes.length) {
    const stamp = bytes.readUInt32LE(at) * 1e6 + bytes.readUInt32LE(at + 4)
    expect(stamp).toBeGreaterThan(last)
    last = stamp
    const captured = bytes.readUInt32LE(at + 8)
    expect(bytes.readUInt32LE(at + 12)).toBe(captured)
    records.push(bytes.subarray(at + 16, at + 16 + captured))
    at += 16 + captured
  }
  expect(at).toBe(bytes.length)
  return { linkType, records }
}

const mac = (b: Buffer, offset: number): string =>
  [...b.subarray(offset, offset + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':')

interface CapturePoint {
  id: string
  netns: string
  device: string
  frames: number
}

/** tshark with a fresh profile: HOME holds its preferences, and this machine's stay out. */
function tsharkFields(file: string, home: string, ...names: string[]): string[] {
  return execFileSync(tshark, ['-r', file, '-T', 'fields', ...names.flatMap((n) => ['-e', n])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: home }
  })
    .split('\n')
    .filter((l) => l !== '')
}

describe('trace:pcap', () => {
  test('a trace is one pcap per interface it crossed, each with that interface’s frames only', async () => {
    await withService(async (service, learnerId) => {
      const { sandboxId } = await call<{ sandboxId: string }>(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'file', fileName: 'lab.yaml', content: scenario }
      })
      const lab = { kind: 'sandbox', sandboxId }
      const { trace, traceId } = await call<{ trace: { hops: Hop[] }; traceId: number }>(
        service,
        'sandbox:trace',
        {
          learnerId,
          sandboxId,
          trace: { from: 'client', to: 'web-3', protocol: 'icmp' }
        }
      )
      const { points } = await call<{ points: CapturePoint[] }>(service, 'trace:capturePoints', {
        learnerId,
        lab,
        traceId
      })
      expect(points.map((p) => p.id)).toEqual(
        expect.arrayContaining([
          'client/eth0',
          'node-1/cni0',
          'node-1/flannel.1',
          'node-1/eth0',
          'node-2/eth0'
        ])
      )
      // An echo request one way and its reply the other at every interface it crossed, after
      // the ARP request and answer wherever the lab had not yet resolved the next hop; other
      // pods' veths heard only those broadcasts.
      expect(points.every((p) => p.frames >= 1)).toBe(true)
      expect(points.find((p) => p.id === 'node-1/flannel.1')?.frames).toBe(2)

      const file = await call<Download>(service, 'trace:pcap', {
        learnerId,
        lab,
        traceId,
        capture: { format: 'pcap', point: 'client/eth0' }
      })
      expect(file).toMatchObject({
        fileName: 'podnet-icmp-client-to-10.244.2.2-on-client-eth0.pcap',
        mimeType: 'application/vnd.tcpdump.pcap'
      })
      const { linkType, records } = readPcap(Buffer.from(file.base64, 'base64'))
      expect(linkType).toBe(1)
      const sent = trace.hops.find((h) => h.stage === 'link-xmit' && h.netns === 'client')
      // The who-has, and the same broadcast back through the hairpin port, then the answer.
      expect(records).toHaveLength(5)
      const [whoHas, hairpinned, isAt, request, reply] = records as Buffer[] as [
        Buffer,
        Buffer,
        Buffer,
        Buffer,
        Buffer
      ]
      expect(whoHas.readUInt16BE(12)).toBe(0x0806)
      expect(hairpinned.equals(whoHas)).toBe(true)
      expect(mac(whoHas, 0)).toBe('ff:ff:ff:ff:ff:ff')
      expect(mac(isAt, 0)).toBe(sent?.after?.eth?.src)
      expect(mac(request, 0)).toBe(sent?.after?.eth?.dst)
      expect(mac(request, 6)).toBe(sent?.after?.eth?.src)
      expect(request[14 + 8]).toBe(sent?.after?.ip?.ttl)
      expect(mac(reply, 0)).toBe(sent?.after?.eth?.src)
    })
  })

  test.skipIf(toolUnavailable(tcpdump, 'apt-get install tcpdump') !== null)(
    'real tcpdump reads the node’s eth0 capture as VXLAN carrying the echo and its reply',
    async () => {
      await withService(async (service, learnerId) => {
        await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
        const { traceId } = await call<{ traceId: number }>(service, 'trace:run', {
          learnerId,
          lessonId: 'tour',
          trace: { from: 'client', to: 'web-2', protocol: 'icmp' }
        })
        const file = await call<Download>(service, 'trace:pcap', {
          learnerId,
          lab: { kind: 'lesson', lessonId: 'tour' },
          traceId,
          capture: { format: 'pcap', point: 'node-1/eth0' }
        })
        const dir = tempDir('podnet-pcap-')
        try {
          const path = join(dir.path, file.fileName)
          writeFileSync(path, Buffer.from(file.base64, 'base64'))
          const printed = execFileSync(tcpdump, ['-nn', '-e', '-r', path], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe']
          })
          // tcpdump prints a VXLAN packet's inner frame on a line of its own, without a timestamp.
          const lines = printed
            .trim()
            .split('\n')
            .filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l))
          // node-1 asks for node-2's MAC before the first datagram to it.
          expect(lines).toHaveLength(4)
          expect(lines[0]).toMatch(
            /ARP \(0x0806\), length 42: Request who-has 192\.168\.56\.12 tell 192\.168\.56\.11, length 28$/
          )
          expect(lines[1]).toMatch(
            /ARP \(0x0806\), length 42: Reply 192\.168\.56\.12 is-at [0-9a-f:]{17}, length 28$/
          )
          expect(lines[2]).toMatch(
            / 192\.168\.56\.11\.\d+ > 192\.168\.56\.12\.8472: OTV, flags \[I\] \(0x08\), overlay 0, instance 1$/
          )
          expect(lines[3]).toMatch(/ 192\.168\.56\.12\.\d+ > 192\.168\.56\.11\.8472: OTV/)
          expect(printed.match(/ICMP echo (request|reply)/g)).toEqual([
            'ICMP echo request',
            'ICMP echo reply'
          ])
          expect(printed).not.toMatch(/truncated|bad|invalid/i)
        } finally {
          dir.remove()
        }
      })
    }
  )

  test.skipIf(toolUnavailable(tshark, 'apt-get install tshark') !== null)(
    'without a choice it is every interface in one pcapng, one interface block per capture point',
    async () => {
      await withService(async (service, learnerId) => {
        await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
        const lab = { kind: 'lesson', lessonId: 'tour' }
        const { traceId } = await call<{ traceId: number }>(service, 'trace:run', {
          learnerId,
          lessonId: 'tour',
          trace: { from: 'client', to: 'web-2', protocol: 'icmp' }
        })
        const { points } = await call<{ points: CapturePoint[] }>(service, 'trace:capturePoints', {
          learnerId,
          lab,
          traceId
        })
        const file = await call<Download>(service, 'trace:pcap', { learnerId, lab, traceId })
        expect(file).toMatchObject({
          fileName: 'podnet-icmp-client-to-10.244.2.2.pcapng',
          mimeType: 'application/x-pcapng'
        })
        const dir = tempDir('podnet-pcapng-')
        try {
          const path = join(dir.path, file.fileName)
          writeFileSync(path, Buffer.from(file.base64, 'base64'))
          const interfaces = tsharkFields(path, dir.path, 'frame.interface_name')
          expect(interfaces).toHaveLength(points.reduce((n, p) => n + p.frames, 0))
          expect([...new Set(interfaces)]).toEqual(points.map((p) => p.id))
        } finally {
          dir.remove()
        }
      })
    }
  )

  test.skipIf(toolUnavailable(tshark, 'apt-get install tshark') !== null)(
    'a curl captured with tcpdump -w is a whole HTTP connection to real tshark',
    () => {
      const files = new Map<string, Uint8Array>()
      const shell = labShell('two-node-vxlan', { writeFile: (path, data) => files.set(path, data) })
      expect(run(shell, 'client', 'curl -s http://10.96.0.100/').exitCode).toBe(0)
      expect(run(shell, 'client', 'tcpdump -i eth0 -w curl.pcap').exitCode).toBe(0)
      const dir = tempDir('podnet-pcap-')
      try {
        const path = join(dir.path, 'curl.pcap')
        writeFileSync(path, files.get('curl.pcap')!)
        const fields = (filter: string, ...names: string[]): string[] =>
          execFileSync(
            tshark,
            ['-r', path, '-Y', filter, '-T', 'fields', ...names.flatMap((n) => ['-e', n])],
            { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
          )
            .trim()
            .split('\n')
            .filter((l) => l !== '')
        expect(fields('tcp', 'tcp.flags.str')).toHaveLength(10)
        expect(fields('http.request', 'http.request.method', 'http.request.uri', 'http.host')).toEqual([
          'GET\t/\t10.96.0.100'
        ])
        expect(fields('http.response', 'http.response.code', 'http.file_data')).toEqual([
          expect.stringMatching(/^200\t/)
        ])
        // Wireshark's expert info: malformed packets, bad checksums, lost or out-of-order segments.
        expect(fields('_ws.malformed || _ws.expert.severity >= warning', 'frame.number')).toEqual([])
      } finally {
        dir.remove()
      }
    }
  )

  test('refuses a trace id the lab never issued and an interface the trace never crossed', async () => {
    await withService(async (service, learnerId) => {
      await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
      expect(
        await failure(service, 'trace:pcap', {
          learnerId,
          lab: { kind: 'lesson', lessonId: 'tour' },
          traceId: 41
        })
      ).toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('41')
      })
      expect(
        await failure(service, 'trace:pcap', { learnerId, lab: { kind: 'cluster' }, traceId: 1 })
      ).toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^lab\.kind:/)
      })
      const { traceId } = await call<{ traceId: number }>(service, 'trace:run', {
        learnerId,
        lessonId: 'tour',
        trace: { from: 'client', to: 'web-2', protocol: 'icmp' }
      })
      expect(
        await failure(service, 'trace:pcap', {
          learnerId,
          lab: { kind: 'lesson', lessonId: 'tour' },
          traceId,
          capture: { format: 'pcap', point: 'node-1/cni9' }
        })
      ).toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('"node-1/cni9"'),
        reason: { id: 'unknown_capture_point', params: { point: 'node-1/cni9', traceId } }
      })
      expect(
        await failure(service, 'trace:pcap', {
          learnerId,
          lab: { kind: 'lesson', lessonId: 'tour' },
          traceId,
          capture: { format: 'pcap' }
        })
      ).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^capture\.point:/) })
    })
  })
})
