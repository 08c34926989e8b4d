import { describe, expect, test } from 'vitest'
import { restartableClassHost } from './classroom-host.ts'

describe('a class host restarted without --class', () => {
  const { dataDir, store, start } = restartableClassHost('podnet-class-last-')
  const run = async (extra: { classCode?: string; newClass?: boolean } = {}) => {
    const host = await start({ dataDir, ...extra })
    await host.close()
    return host
  }

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
