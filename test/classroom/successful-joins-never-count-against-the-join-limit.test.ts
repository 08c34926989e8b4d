import { beforeAll, describe, expect, test } from 'vitest'
import { classroomHostForSuite, ok, post } from './classroom-host.ts'

describe('a room behind one address', () => {
  const h = classroomHostForSuite('podnet-class-nat-', { joinLimit: { limit: 3, windowMs: 60_000 } })
  let joinCode: string

  beforeAll(async () => {
    joinCode = (
      await ok<{ joinCode: string }>(h.host.origin, 'class:start', { name: 'One NAT' }, h.instructorToken)
    ).joinCode
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
