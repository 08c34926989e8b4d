import { describe, expect, test } from 'vitest'
import { ok, restartableClassHost, type Joined } from './classroom-host.ts'

describe('a class host restarted with --class', () => {
  const { store, start } = restartableClassHost('podnet-class-named-')

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
