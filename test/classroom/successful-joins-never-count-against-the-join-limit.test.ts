import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../e2e/harness.ts'
import { ok, post, startClassroomHost, type ClassroomHost } from './classroom-host.ts'

describe('a room behind one address', () => {
  const data = tempDir('podnet-class-nat-')
  let h: ClassroomHost
  let joinCode: string

  beforeAll(async () => {
    h = await startClassroomHost(data.path, { joinLimit: { limit: 3, windowMs: 60_000 } })
    joinCode = (
      await ok<{ joinCode: string }>(h.host.origin, 'class:start', { name: 'One NAT' }, h.instructorToken)
    ).joinCode
  })

  afterAll(async () => {
    await h.stop()
    data.remove()
  })

  test('successful joins never count against the join limit; wrong codes do', async () => {
    const names = ['Ana', 'Bo', 'Cy', 'Dee', 'Eli', 'Fay', 'Gus', 'Hal']
    for (const name of names) {
      expect({
        name,
        status: (await post(h.host.origin, 'class:join', { code: joinCode, name })).status
      }).toEqual({
        name,
        status: 200
      })
    }
    const wrong = joinCode === '222222' ? '333333' : '222222'
    for (const name of ['Xia', 'Yan', 'Zhu']) {
      expect((await post(h.host.origin, 'class:join', { code: wrong, name })).status).toBe(404)
    }
    const blocked = await post(h.host.origin, 'class:join', { code: joinCode, name: 'Ida' })
    expect(blocked.status).toBe(429)
    expect((await post(h.host.origin, 'class:reclaim', { code: joinCode, seatCode: 'ZZZZZZ' })).status).toBe(
      429
    )
  })
})
