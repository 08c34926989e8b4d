import { expect, test } from 'vitest'
import type { TcpSegment as Segment } from '../../src-main/core/diagram/segments.ts'
import { call, failure, withService } from './api-call.ts'

interface Traced {
  trace: { hops: { seq: number; before?: { l4?: { kind: string; data?: string } } }[] }
  story: { summary: { rows: { hops: [number, number]; packet: number }[]; segments: Segment[] } }
}

const clusterIp = { from: 'client', to: '10.96.0.120', protocol: 'tcp', port: 80 }
const add = (a: number, b: number): number => (a + b) % 2 ** 32

test('trace:run of a TCP probe to a ClusterIP walks the whole connection, segment after segment, as curl makes it', async () => {
  await withService(async (service, learnerId) => {
    await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
    const { trace, story } = await call<Traced>(service, 'trace:run', {
      learnerId,
      lessonId: 'tour',
      trace: clusterIp
    })
    const s = story.summary.segments
    expect(s.map((x) => `${x.leg} ${x.flags}`)).toEqual([
      'request S',
      'reply S.',
      'request .',
      'request P.',
      'reply .',
      'reply P.',
      'request .',
      'reply F.',
      'request F.',
      'reply .'
    ])
    const [syn, synAck, ack, get, getAck, answer, answerAck, fin, finAck, lastAck] = s as [
      Segment,
      Segment,
      Segment,
      Segment,
      Segment,
      Segment,
      Segment,
      Segment,
      Segment,
      Segment
    ]
    // Every number follows from the two initial sequence numbers and the bytes each side sent.
    expect(synAck.ack).toBe(add(syn.seq, 1))
    expect([ack.seq, ack.ack]).toEqual([add(syn.seq, 1), add(synAck.seq, 1)])
    expect([get.seq, get.ack]).toEqual([ack.seq, ack.ack])
    expect(get.firstLine).toBe('GET / HTTP/1.1')
    expect(get.length).toBeGreaterThan(0)
    expect(getAck.ack).toBe(add(get.seq, get.length))
    expect(answer.firstLine).toBe('HTTP/1.1 200 OK')
    expect(answer.seq).toBe(add(synAck.seq, 1))
    expect(answerAck.ack).toBe(add(answer.seq, answer.length))
    // The app answers with Connection: close, so the server's FIN comes first.
    expect(fin.seq).toBe(add(answer.seq, answer.length))
    expect(finAck.ack).toBe(add(fin.seq, 1))
    expect(lastAck.ack).toBe(add(finAck.seq, 1))
    expect([get.relativeSeq, get.relativeAck, getAck.relativeAck]).toEqual([1, 1, 1 + get.length])

    // Segments cover every hop once, in order, and the hops of segment 4 carry the request.
    expect(s[0]?.hops[0]).toBe(0)
    for (let i = 1; i < s.length; i++) expect(s[i]?.hops[0]).toBe((s[i - 1]?.hops[1] ?? -2) + 1)
    expect(s.at(-1)?.hops[1]).toBe(trace.hops.length - 1)
    const carried = trace.hops
      .slice(get.hops[0], get.hops[1] + 1)
      .map((h) => h.before?.l4)
      .find((l4) => l4?.kind === 'tcp' && l4.data !== undefined)
    expect(carried?.data).toMatch(/^GET \/ HTTP\/1\.1\r\nHost: 10\.96\.0\.120\r\n/)
    // The story's rows never straddle two segments: one packet heading per segment.
    const segmentOf = (seq: number): number | undefined =>
      s.find((x) => x.hops[0] <= seq && seq <= x.hops[1])?.number
    for (const row of story.summary.rows) expect(segmentOf(row.hops[1])).toBe(segmentOf(row.hops[0]))
    expect(new Set(story.summary.rows.map((r) => r.packet)).size).toBe(s.length)

    const handshake = await call<Traced>(service, 'trace:run', {
      learnerId,
      lessonId: 'tour',
      trace: { ...clusterIp, connection: 'handshake' }
    })
    expect(handshake.story.summary.segments.map((x) => x.flags)).toEqual(['S', 'S.'])
  })
})

test('a connection is asked of a TCP trace only, and the refusal names the field', async () => {
  await withService(async (service, learnerId) => {
    await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
    const error = await failure(service, 'trace:run', {
      learnerId,
      lessonId: 'tour',
      trace: { from: 'client', to: '10.244.2.2', protocol: 'icmp', connection: 'http' }
    })
    expect(error.code).toBe('invalid_input')
    expect(error.message).toContain('connection')
  })
})
