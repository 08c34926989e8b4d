import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { errorOf, openStreamSocket, type StreamClient } from '../api/stream-socket-client.ts'
import { lineEnded, openTerminal, printed, terminalEvents } from '../api/live-terminal-client.ts'
import { classroomHostForSuite, learnerCall, ok, post, type Joined } from './classroom-host.ts'

/**
 * On a class host a live terminal is its learner's alone. Its id travels in every input and may
 * be seen on a projector, so it is no key: another learner, or the instructor's dashboard token,
 * who reuses it is refused as for an unknown terminal, and nothing reaches the owner's stream.
 */
describe('a learner’s live terminal on the class host', () => {
  const h = classroomHostForSuite('podnet-class-terminals-')
  let ada: Joined
  let bo: Joined
  let adaPage: StreamClient
  let adaTerminal: string
  const lessonId = 'tour'
  const lab = { kind: 'lesson', lessonId }

  beforeAll(async () => {
    const room = await ok<{ joinCode: string }>(
      h.host.origin,
      'class:start',
      { name: 'Room', lessons: [lessonId] },
      h.instructorToken
    )
    ada = await ok<Joined>(h.host.origin, 'class:join', { code: room.joinCode, name: 'Ada' })
    bo = await ok<Joined>(h.host.origin, 'class:join', { code: room.joinCode, name: 'Bo' })
    await learnerCall(h.host.origin, ada)('lesson:open', { lessonId })
    await learnerCall(h.host.origin, bo)('lesson:open', { lessonId })
    adaPage = openStreamSocket(h.host.origin, ada.learnerToken)
    await adaPage.opened
    adaTerminal = await openTerminal(adaPage, 'ada', {
      learnerId: ada.learnerId,
      lab: { kind: 'lesson', lessonId },
      on: 'client'
    })
    const started = await learnerCall(h.host.origin, ada)('lab:terminalInput', {
      lab,
      terminalId: adaTerminal,
      line: 'tcpdump -ni eth0 tcp'
    })
    expect(started).toMatchObject({ running: true })
  })

  /** A page of `token`'s, and what its socket answered a subscription to Ada's terminal stream. */
  const askingForAdasStream = async (token: string): Promise<{ page: StreamClient; refusal: unknown }> => {
    const page = openStreamSocket(h.host.origin, token)
    await page.opened
    page.subscribe('theirs', 'lab:terminal', { learnerId: ada.learnerId, lab, on: 'client' })
    return { page, refusal: await page.next(errorOf('theirs')) }
  }

  afterAll(async () => {
    await adaPage.close()
  })

  test('another learner who reuses its id in their own lab is told there is no such terminal of theirs', async () => {
    for (const method of ['lab:terminalInput', 'lab:terminalInterrupt']) {
      const answer = await post(
        h.host.origin,
        method,
        {
          learnerId: bo.learnerId,
          lab,
          terminalId: adaTerminal,
          ...(method === 'lab:terminalInput' ? { line: 'curl -s 10.96.0.100' } : {})
        },
        bo.learnerToken
      )
      expect(answer.status).toBe(404)
      expect(answer.body.error).toEqual({
        code: 'not_found',
        message: `terminalId: no open terminal "${adaTerminal}" of yours in this lab; open one first`,
        reason: { id: 'unknown_terminal', params: {} }
      })
    }
  })

  test('another learner who names its owner is refused before the terminal is looked at', async () => {
    const answer = await post(
      h.host.origin,
      'lab:terminalInput',
      { learnerId: ada.learnerId, lab, terminalId: adaTerminal, line: 'jobs' },
      bo.learnerToken
    )
    expect(answer.status).toBe(403)
    expect(answer.body.error).toMatchObject({ code: 'forbidden', reason: { id: 'own_progress_only' } })

    const { page: boPage, refusal } = await askingForAdasStream(bo.learnerToken)
    expect(refusal).toMatchObject({ error: { code: 'forbidden' } })
    // A subscription opens a new terminal; it cannot name one to attach to.
    boPage.subscribe('attach', 'lab:terminal', {
      learnerId: bo.learnerId,
      lab,
      on: 'client',
      terminalId: adaTerminal
    })
    expect(await boPage.next(errorOf('attach'))).toMatchObject({ error: { code: 'invalid_input' } })
    await boPage.close()
  })

  test('the instructor’s token can neither type into it nor open a terminal in the learner’s lesson', async () => {
    const answer = await post(
      h.host.origin,
      'lab:terminalInterrupt',
      { learnerId: ada.learnerId, lab, terminalId: adaTerminal },
      h.instructorToken
    )
    expect(answer.status).toBe(403)
    expect(answer.body.error).toMatchObject({ code: 'forbidden', reason: { id: 'class_learner_record' } })

    const { page: dashboard, refusal } = await askingForAdasStream(h.instructorToken)
    expect(refusal).toMatchObject({ error: { code: 'forbidden', reason: { id: 'class_learner_record' } } })
    await dashboard.close()
  })

  test('its owner’s capture ran on untouched and prints only the owner’s traffic', async () => {
    expect(terminalEvents(adaPage, 'ada').filter((e) => e.kind === 'ended')).toEqual([])
    const ask = learnerCall(h.host.origin, ada)
    expect(await ask('shell:exec', { lessonId, on: 'client', line: 'curl -s 10.96.0.100' })).toMatchObject({
      exitCode: 0
    })
    await ask('lab:terminalInterrupt', { lab, terminalId: adaTerminal })
    await lineEnded(adaPage, 'ada')
    expect(printed(adaPage, 'ada')).toMatch(/\n10 packets captured\n/)
  })
})
