import { describe, expect, test } from 'vitest'
import { dispatch } from '../../src-main/api/dispatch.ts'
import type { Service } from '../../src-main/api/service.ts'
import { call, withService } from './api-call.ts'

async function traceCode(service: Service, ref: object, trace: object): Promise<string> {
  const result = await dispatch(service.handlers, 'trace:run', { ...ref, trace })
  return result.ok ? 'traced' : result.error.code
}

describe('the packet a prediction asks about', () => {
  test('cannot be traced from the exam briefing, where nothing changes the broken lab before the prediction', async () => {
    await withService(async (service, learnerId) => {
      const ref = { learnerId, lessonId: 'final-exam' }
      const { session } = await call<{ session: { current: string } }>(service, 'lesson:open', ref)
      expect(session.current).toBe('briefing')
      const brokenPath = { from: 'client', to: 'web-2', protocol: 'icmp' }
      expect(await traceCode(service, ref, brokenPath)).toBe('prediction_pending')
      expect(await traceCode(service, ref, { from: 'client', to: 'web-1', protocol: 'icmp' })).toBe('traced')
    })
  })

  test('can be traced while a task lies before its prediction, and again once predicted, though a later prediction asks about the same ping', async () => {
    await withService(async (service, learnerId) => {
      const ref = { learnerId, lessonId: 'cross-node-vxlan' }
      const ping = { from: 'client', to: '10.244.2.2', protocol: 'icmp' }
      await call(service, 'lesson:open', ref)
      expect(await traceCode(service, ref, ping), 'on intro, with the node-routes task ahead').toBe('traced')

      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'shell:exec', { ...ref, on: 'node-1', line: 'ip route' })
      const atPredict = await call<{ current: string }>(service, 'lesson:send', {
        ...ref,
        event: { type: 'user.next' }
      })
      expect(atPredict.current).toBe('predict-next-device')
      expect(await traceCode(service, ref, ping), 'at the prediction').toBe('prediction_pending')

      await call(service, 'lesson:send', {
        ...ref,
        event: { type: 'user.predict', value: 'node-1/flannel.1' }
      })
      // The very next step predicts the same ping's inner source MAC: still nothing to see first.
      expect(await traceCode(service, ref, ping), 'with the next prediction straight after').toBe(
        'prediction_pending'
      )
      const atMac = await call<{ current: string }>(service, 'lesson:send', {
        ...ref,
        event: { type: 'user.next' }
      })
      expect(atMac.current).toBe('predict-inner-source-mac')
      await call(service, 'lesson:send', {
        ...ref,
        event: { type: 'user.predict', value: 'node-1/flannel.1', justification: 'router-rewrites' }
      })
      expect(await traceCode(service, ref, ping), 'once both are predicted').toBe('traced')
      const next = await call<{ current: string }>(service, 'lesson:send', {
        ...ref,
        event: { type: 'user.next' }
      })
      expect(next.current).toBe('flannel-tables')
      expect(await traceCode(service, ref, ping), 'with the FDB tasks before the next prediction').toBe(
        'traced'
      )
    })
  })
})
