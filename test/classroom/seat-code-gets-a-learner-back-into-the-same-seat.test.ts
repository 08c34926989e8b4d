import { beforeAll, describe, expect, test } from 'vitest'
import { classroomHostForSuite, ok, post, type Joined } from './classroom-host.ts'

interface Seated extends Joined {
  seatCode: string
}

describe('a seat code gets a learner back into the same seat', () => {
  const h = classroomHostForSuite('podnet-class-seats-')
  let classId: string
  let joinCode: string
  let dana: Seated

  const call = (method: string, body: unknown, token?: string) => post(h.host.origin, method, body, token)

  beforeAll(async () => {
    const started = await ok<{ classId: string; joinCode: string }>(
      h.host.origin,
      'class:start',
      { name: 'Seats' },
      h.instructorToken
    )
    classId = started.classId
    joinCode = started.joinCode
    dana = await ok<Seated>(h.host.origin, 'class:join', { code: joinCode, name: 'Dana' })
    await ok(h.host.origin, 'lesson:open', { learnerId: dana.learnerId, lessonId: 'tour' }, dana.learnerToken)
  })

  test('joining hands out a seat code, which the dashboard lists beside the name', async () => {
    expect(dana.seatCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/)
    const dashboard = await ok<{ learners: { name: string; seatCode: string }[] }>(
      h.host.origin,
      'class:dashboard',
      { classId },
      h.instructorToken
    )
    expect(dashboard.learners).toContainEqual(
      expect.objectContaining({ name: 'Dana', seatCode: dana.seatCode })
    )
  })

  test('from another browser, the join code and the seat code give back the same name and record', async () => {
    const taken = await call('class:join', { code: joinCode, name: 'dana' })
    expect(taken.body.error?.message).toContain('get back in with your seat code')

    const back = await ok<Seated>(h.host.origin, 'class:reclaim', {
      code: joinCode.toLowerCase(),
      seatCode: ` ${dana.seatCode.toLowerCase()} `
    })
    expect(back).toMatchObject({ learnerId: dana.learnerId, name: 'Dana', seatCode: dana.seatCode })
    expect(back.learnerToken).not.toBe(dana.learnerToken)
    const summary = await ok<{ lessons: { lessonId: string; status: string }[] }>(
      h.host.origin,
      'progress:summary',
      { learnerId: dana.learnerId },
      back.learnerToken
    )
    expect(summary.lessons).toContainEqual(
      expect.objectContaining({ lessonId: 'tour', status: 'in-progress' })
    )
    // The seat moved: the browser left behind is signed out of it, told so rather than "class closed".
    const leftBehind = await call('class:rejoin', {}, dana.learnerToken)
    expect(leftBehind.status).toBe(401)
    expect(leftBehind.body.error?.reason?.id).toBe('learner_seat_moved')
    dana = back
  })

  test('a wrong seat code names what was wrong', async () => {
    const wrong = await call('class:reclaim', { code: joinCode, seatCode: 'ZZZZZZ' })
    expect(wrong.status).toBe(404)
    expect(wrong.body.error?.message).toBe(
      'seatCode: nobody in this class has the seat code ZZZZZZ; check it, or ask your instructor to reset your seat'
    )
  })

  test('the instructor resets a seat: a new code, the old one and its browsers are out, the record stays', async () => {
    expect(
      (await call('class:resetSeat', { classId, learnerId: dana.learnerId }, dana.learnerToken)).status
    ).toBe(403)
    const reset = await ok<{ learnerId: string; seatCode: string }>(
      h.host.origin,
      'class:resetSeat',
      { classId, learnerId: dana.learnerId },
      h.instructorToken
    )
    expect(reset.learnerId).toBe(dana.learnerId)
    expect(reset.seatCode).not.toBe(dana.seatCode)
    expect((await call('class:rejoin', {}, dana.learnerToken)).status).toBe(401)
    expect((await call('class:reclaim', { code: joinCode, seatCode: dana.seatCode })).status).toBe(404)
    const back = await ok<Seated>(h.host.origin, 'class:reclaim', {
      code: joinCode,
      seatCode: reset.seatCode
    })
    expect(back).toMatchObject({ learnerId: dana.learnerId, name: 'Dana', seatCode: reset.seatCode })
    dana = back
  })

  test('only a closed class signs its learners out as closed', async () => {
    await ok(h.host.origin, 'class:close', { classId }, h.instructorToken)
    const refused = await call('class:heartbeat', {}, dana.learnerToken)
    expect(refused.status).toBe(401)
    expect(refused.body.error?.reason?.id).toBe('learner_class_closed')
  })
})
