import { expect, test } from 'vitest'
import { call, withService } from './api-call.ts'

interface Traced {
  trace: { hops: { seq: number }[] }
  story: {
    summary: { rows: { device: string; event: { kind: string }; hops: [number, number] }[] }
    placements: unknown[]
  }
}

test('trace:run and sandbox:trace answer with the device-level story and a place for every hop', async () => {
  await withService(async (service, learnerId) => {
    await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
    const request = { from: 'client', to: '10.244.2.2', protocol: 'icmp' }
    const lesson = await call<Traced>(service, 'trace:run', { learnerId, lessonId: 'tour', trace: request })
    const { sandboxId } = await call<{ sandboxId: string }>(service, 'sandbox:open', {
      learnerId,
      source: { kind: 'lesson', lessonId: 'tour' }
    })
    const sandbox = await call<Traced>(service, 'sandbox:trace', { learnerId, sandboxId, trace: request })
    for (const traced of [lesson, sandbox]) {
      const rows = traced.story.summary.rows
      expect(rows.map((r) => r.event.kind)).toContain('encap')
      expect(rows.at(-1)?.event.kind).toBe('delivered')
      expect(rows.at(-1)?.hops[1]).toBe(traced.trace.hops.length - 1)
      expect(traced.story.placements).toHaveLength(traced.trace.hops.length)
    }
  })
})
