import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { createService } from '../../src-main/api/service.ts'
import { startClassroomHost } from '../../src-main/platform/classroom-host.ts'
import { tempDir } from '../e2e/harness.ts'
import { lessonsDir, rendererFixture } from './classroom-host.ts'

describe('a class host restarted without --class', () => {
  const data = tempDir('podnet-class-last-')
  const service = createService({
    dataDir: data.path,
    lessonsDir,
    packsDir: join(data.path, 'packs'),
    version: 'test'
  })
  const store = service.store!
  const run = async (extra: { classCode?: string; newClass?: boolean } = {}) => {
    const host = await startClassroomHost({
      handlers: service.handlers,
      lessonDefinition: service.lessonDefinition,
      store,
      rendererDir: rendererFixture,
      packsDir: join(data.path, 'packs'),
      lessonsDir,
      host: '127.0.0.1',
      port: 0,
      dataDir: data.path,
      ...extra
    })
    await host.close()
    return host
  }

  afterAll(() => {
    service.close()
    data.remove()
  })

  test('reopens the class it ran last, even with a newer class open, and starts none', async () => {
    const older = await run()
    expect(older.started).toBe(true)
    const newer = await run({ newClass: true })
    expect(newer.classId).not.toBe(older.classId)
    await run({ classCode: older.joinCode })

    const restarted = await run()
    expect(restarted.classId).toBe(older.classId)
    expect(restarted.started).toBe(false)
    expect(store.classes.list()).toHaveLength(2)
  })

  test('with the class it ran last closed, continues the newest open class', async () => {
    const last = await run()
    store.classes.close(last.classId)
    const open = store.classes.list().filter((c) => c.status === 'open')
    const restarted = await run()
    expect(restarted.classId).toBe(open[0]!.id)
    expect(restarted.started).toBe(false)
  })
})
