import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { createService } from '../../src-main/api/service.ts'
import { startClassroomHost } from '../../src-main/platform/classroom-host.ts'
import { tempDir } from '../e2e/harness.ts'
import { lessonsDir, ok, rendererFixture, type Joined } from './classroom-host.ts'

describe('a class host restarted with --class', () => {
  const data = tempDir('podnet-class-named-')
  const service = createService({
    dataDir: data.path,
    lessonsDir,
    packsDir: join(data.path, 'packs'),
    version: 'test'
  })
  const store = service.store!
  const start = (extra: { classCode?: string } = {}) =>
    startClassroomHost({
      handlers: service.handlers,
      lessonDefinition: service.lessonDefinition,
      store,
      rendererDir: rendererFixture,
      packsDir: join(data.path, 'packs'),
      lessonsDir,
      host: '127.0.0.1',
      port: 0,
      ...extra
    })

  afterAll(() => {
    service.close()
    data.remove()
  })

  test('reopens the class with that code, closed or not, and the learner keeps their seat', async () => {
    const first = await start()
    const ada = await ok<Joined & { seatCode: string }>(first.origin, 'class:join', {
      code: first.joinCode,
      name: 'Ada'
    })
    await first.close()
    store.classes.close(first.classId)

    const second = await start({ classCode: first.joinCode.toLowerCase() })
    try {
      expect(second.classId).toBe(first.classId)
      expect(store.classes.get(first.classId)?.status).toBe('open')
      const back = await ok<Joined>(second.origin, 'class:rejoin', {}, ada.learnerToken)
      expect(back).toMatchObject({ learnerId: ada.learnerId, name: 'Ada', seatCode: ada.seatCode })
    } finally {
      await second.close()
    }
  })

  test('a code no class had is refused, and no class is created by accident', async () => {
    const before = store.classes.list().length
    const unknown = store.classes.byCode('222222') ? '333333' : '222222'
    await expect(start({ classCode: unknown })).rejects.toThrow(
      `class: no class on this computer has the join code ${unknown}`
    )
    expect(store.classes.list()).toHaveLength(before)
  })
})
