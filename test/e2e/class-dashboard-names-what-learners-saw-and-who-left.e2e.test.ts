import type { Page } from 'playwright-core'
import { afterAll, describe, expect, test } from 'vitest'
import { OFFLINE_WITHIN_MS } from '../../src-main/api/presence.ts'
import { e2eUnavailable, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

/** Two cores shared with other work: give the live views time to catch up. */
const poll = <T>(read: () => T | Promise<T>): ReturnType<typeof expect.poll<T>> =>
  expect.poll(read, { timeout: 20_000, interval: 100 })

/** A call from inside the learner's page, with the token the page keeps: what the lesson view sends. */
async function learnerSends(page: Page, method: string, body: Record<string, unknown>): Promise<void> {
  const status = await page.evaluate(
    async ({ method, body }) => {
      const stored = JSON.parse(localStorage.getItem('podnet.classroom') ?? '{}') as {
        token: string
        learnerId: string
      }
      const response = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stored.token}` },
        body: JSON.stringify({ learnerId: stored.learnerId, ...body })
      })
      return response.status
    },
    { method, body }
  )
  expect(status, method).toBe(200)
}

describe.skipIf(unavailable !== null)('the class dashboard, read at a glance', () => {
  // The classroom's clock: moved on by the test, so "offline within 30 s" needs no 30 s wait.
  let ahead = 0
  const app = withHostAndBrowser('podnet-e2e-dashboard-', {
    classroom: true,
    classroomNow: () => Date.now() + ahead
  })
  const closing: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const close of closing) await close()
  })

  test('titles, prompts and readable answers; a learner whose page closed shows offline', async () => {
    const teacherContext = (await app.offlineContext()).context
    const learnerContext = (await app.offlineContext()).context
    closing.push(
      () => teacherContext.close(),
      () => learnerContext.close()
    )
    const teacher = await teacherContext.newPage()
    const ana = await learnerContext.newPage()

    await teacher.goto(`${app.host.url}#/classroom`)
    await teacher.getByLabel('Class name').fill('Room 7')
    await teacher.getByRole('button', { name: 'Start the class' }).click()
    const code = (await teacher.getByTestId('join-code').innerText()).trim()

    await ana.goto(`${app.host.origin}/#/join?code=${code}`)
    await ana.getByLabel('Your name').fill('Ana')
    await ana.getByRole('button', { name: 'Join', exact: true }).click()
    await poll(() => ana.locator('.class-bar').innerText()).toContain('as Ana')

    // Ana works up to the traced packet's question, answers it wrong, then right.
    const tour = 'tour'
    await learnerSends(ana, 'lesson:open', { lessonId: tour })
    await learnerSends(ana, 'lesson:send', { lessonId: tour, event: { type: 'user.next' } })
    await learnerSends(ana, 'shell:exec', { lessonId: tour, on: 'client', line: 'ip addr' })
    await learnerSends(ana, 'lesson:send', { lessonId: tour, event: { type: 'user.next' } })
    await learnerSends(ana, 'lesson:send', { lessonId: tour, event: { type: 'user.predict', value: 62 } })
    await learnerSends(ana, 'lesson:send', { lessonId: tour, event: { type: 'user.next' } })
    for (const text of ['10.244.1.2', '192.168.56.11'])
      await learnerSends(ana, 'quiz:submit', {
        lessonId: tour,
        questionId: 'outer-source',
        answer: { kind: 'text', text }
      })

    const row = teacher.locator('tr[data-learner="Ana"]')
    await poll(() => row.locator('td[data-col="lesson"]').innerText()).toBe('A tour of Podnet Lab')
    await poll(() => row.locator('td[data-col="step"]').innerText()).toMatch(/^4 of \d+\s+Follow the packet$/)
    const question = teacher.locator('.distribution article[data-question="outer-source"]')
    await poll(() => question.locator('h3').innerText()).toMatch(
      /^flannel\.1 is about to wrap the packet\. Which source IP will the outer header carry\?/
    )
    const latest = question.getByTestId('latest-answers')
    await poll(() => latest.locator('li').allInnerTexts()).toEqual([
      expect.stringMatching(/^192\.168\.56\.11\s+✓ correct[\s\S]*× 1[\s\S]*Ana$/)
    ])
    await poll(() => question.getByTestId('first-answers').locator('code').allInnerTexts()).toEqual([
      '10.244.1.2'
    ])
    expect(await question.innerText()).not.toMatch(/"kind"|\{/)
    await poll(() => row.locator('[data-testid="offline"]').count()).toBe(0)

    // Ana closes her page: no more heartbeats. The host's clock moves on; offline shows.
    await ana.close()
    ahead += OFFLINE_WITHIN_MS
    app.classroom.tick()
    await poll(() => row.locator('[data-testid="offline"]').innerText()).toBe('(offline)')
  })
})
