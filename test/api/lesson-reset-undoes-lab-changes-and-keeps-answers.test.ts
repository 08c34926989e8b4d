import { describe, expect, test } from 'vitest'
import { createService } from '../../src-main/api/service.ts'
import { call, lessonsDir, withService } from './api-call.ts'

interface Session {
  current: string
  steps: { id: string; status: string }[]
  step?: { kind: string; solved?: boolean }
}

const cni0 = /cni0: <[^>]*> .* state (UP|DOWN)/

describe('lesson:reset', () => {
  test('step undoes only what changed since the step began; lab undoes everything; progress stays', async () => {
    await withService(async (service, learnerId, dataDir) => {
      const ref = { learnerId, lessonId: 'tour' }
      const state = async (on: string): Promise<string | undefined> =>
        cni0.exec(
          (await call<{ stdout: string }>(service, 'shell:exec', { ...ref, on, line: 'ip link show cni0' }))
            .stdout
        )?.[1]

      await call(service, 'lesson:open', ref)
      await call(service, 'shell:exec', { ...ref, on: 'node-1', line: 'ip link set cni0 down' })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'shell:exec', { ...ref, on: 'node-2', line: 'ip link set cni0 down' })
      const solved = await call<{ session: Session }>(service, 'shell:exec', {
        ...ref,
        on: 'client',
        line: 'ip addr'
      })
      expect(solved.session.step).toMatchObject({ kind: 'task', solved: true })

      const afterStep = await call<Session>(service, 'lesson:reset', { ...ref, scope: 'step' })
      expect(afterStep.current).toBe('look-around')
      expect(afterStep.steps[0]?.status).toBe('done')
      expect(await state('node-2')).toBe('UP')
      expect(await state('node-1')).toBe('DOWN')

      const afterLab = await call<Session>(service, 'lesson:reset', { ...ref, scope: 'lab' })
      expect(afterLab.current).toBe('look-around')
      expect(afterLab.steps[0]?.status).toBe('done')
      expect(await state('node-1')).toBe('UP')

      // The reset is saved: a restarted host rebuilds the lab from the shortened journal.
      service.close()
      const again = createService({ dataDir, lessonsDir, version: 'test' })
      try {
        const opened = await call<{ session: Session }>(again, 'lesson:open', ref)
        expect(opened.session.current).toBe('look-around')
        const link = await call<{ stdout: string }>(again, 'shell:exec', {
          ...ref,
          on: 'node-1',
          line: 'ip link show cni0'
        })
        expect(cni0.exec(link.stdout)?.[1]).toBe('UP')
      } finally {
        again.close()
      }
    })
  })

  test('names the scope when it is neither lab nor step', async () => {
    await withService(async (service, learnerId) => {
      await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
      await expect(
        call(service, 'lesson:reset', { learnerId, lessonId: 'tour', scope: 'all' })
      ).rejects.toThrow(/invalid_input: scope:/)
    })
  })
})
