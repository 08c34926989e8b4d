import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { Classroom } from '../../src-main/classroom/classroom.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  rendererDir,
  repoRoot,
  seriousAxeViolations,
  tempDir
} from './harness.ts'

const unavailable = e2eUnavailable()

async function expectAccessible(page: Page, view: string): Promise<void> {
  const violations = await seriousAxeViolations(page)
  expect(violations, `${view}: ${JSON.stringify(violations)}`).toEqual([])
}

/** A learner works the tour up to its first prediction and locks in `guess`, as a person would. */
async function workToPrediction(page: Page, guess: string): Promise<void> {
  const stepTitle = page.locator('#step-title')
  const next = page.locator('.step-actions').getByRole('button', { name: 'Next' })
  await expect.poll(() => stepTitle.innerText()).toBe('Welcome')
  await next.click()
  await expect.poll(() => stepTitle.innerText()).toBe("Find client's address")
  await page.getByRole('tab', { name: 'client', exact: true }).click()
  await expect.poll(() => page.locator('.xterm-host').getAttribute('data-target')).toBe('client')
  await page.locator('.xterm-host .xterm-helper-textarea').focus()
  await page.keyboard.type('ip addr')
  await page.keyboard.press('Enter')
  await expect.poll(() => page.locator('.task .status').innerText(), { timeout: 10_000 }).toMatch(/^Done/)
  await next.click()
  await expect.poll(() => stepTitle.innerText()).toBe('Predict the TTL')
  await page.getByLabel('Your guess').fill(guess)
  await page.getByRole('button', { name: 'Lock in and run the trace' }).click()
  await expect.poll(() => page.locator('.reveal').innerText()).toMatch(new RegExp(`\b${guess}\b`))
}

async function joinClass(page: Page, origin: string, name: string, code: string): Promise<void> {
  await page.goto(`${origin}/#/join?code=${code}`)
  await expect.poll(() => page.getByLabel('Class code').inputValue()).toBe(code)
  await page.getByLabel('Your name').fill(name)
  await page.getByRole('button', { name: 'Join', exact: true }).click()
  await expect.poll(() => page.locator('.class-bar').innerText()).toContain(`as ${name}`)
}

interface Stored {
  token: string
  learnerId: string
}

async function stored(page: Page): Promise<Stored> {
  const text = await page.evaluate(() => localStorage.getItem('podnet.classroom'))
  return JSON.parse(text ?? 'null') as Stored
}

/** Calls the API from inside the page with a given bearer token, as another program on the LAN could. */
async function callAs(page: Page, token: string, method: string, body: unknown): Promise<number> {
  return page.evaluate(
    async ({ token, method, body }) =>
      (
        await fetch(`/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body)
        })
      ).status,
    { token, method, body }
  )
}

describe.skipIf(unavailable !== null)('a workshop in three Chromium contexts: instructor and two learners', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-e2e-classroom-')
  let service: Service
  let host: WebHost
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    ;({ browser, close: closeBrowser } = await launchChromium())
    const packsDir = join(data.path, 'packs')
    service = createService({ dataDir: data.path, lessonsDir: join(repoRoot, 'lessons'), packsDir, version: 'test' })
    if (!service.store) throw new Error('the progress store did not open')
    const classroom = new Classroom({ store: service.store, handlers: service.handlers, packsDir })
    host = await startWebHost({ handlers: service.handlers, rendererDir, classroom, classroomMode: true })
  })

  afterAll(async () => {
    for (const context of contexts) await context.close()
    await host?.close()
    service?.close()
    await closeBrowser?.()
    data.remove()
  })

  async function newPage(): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
    const { context, foreignRequests } = await offlineContext(browser, () => host.origin)
    contexts.push(context)
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    return { page, foreign: foreignRequests, errors }
  }

  test('learners join with the code, their progress shows live, they stay apart, and the report holds their rows', async () => {
    const instructor = await newPage()
    const ana = await newPage()
    const bo = await newPage()
    const teacher = instructor.page

    // The instructor starts a class with the tour open and the Services lesson locked for later.
    console.log(`[${new Date().toISOString()}] The instructor starts a class with the tour open and the Services lesson locked for later.`.slice(0, 90))
    await teacher.goto(`${host.url}#/classroom`)
    await teacher.getByLabel('Class name').fill('Room 4, Thursday')
    const lessonBoxes = teacher.getByRole('group', { name: 'Lessons open from the start' }).getByRole('checkbox')
    await expect.poll(() => lessonBoxes.count()).toBeGreaterThan(1)
    const servicesBox = teacher.getByRole('checkbox', { name: /ClusterIP|Service/ })
    await servicesBox.uncheck()
    await expectAccessible(teacher, 'classroom: start form')
    await teacher.getByRole('button', { name: 'Start the class' }).click()

    const code = (await teacher.getByTestId('join-code').innerText()).trim()
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/)
    const joinUrl = await teacher.getByTestId('join-url').innerText()
    expect(joinUrl).toBe(`${host.origin}/#/join?code=${code}`)
    const qr = teacher.getByRole('img', { name: `QR code for ${joinUrl}` })
    await expect.poll(() => qr.locator('path').getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/)
    await expect.poll(() => teacher.locator('[data-feed]').getAttribute('data-feed')).toBe('live')
    await expectAccessible(teacher, 'classroom: dashboard before anyone joined')

    // A wrong code is refused with a sentence the learner understands; nothing is stored.
    console.log(`[${new Date().toISOString()}] A wrong code is refused with a sentence the learner understands; nothing is stored.`.slice(0, 90))
    await bo.page.goto(`${host.origin}/#/join`)
    await bo.page.getByLabel('Your name').fill('Bo')
    await bo.page.getByLabel('Class code').fill(code === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ')
    await bo.page.getByRole('button', { name: 'Join', exact: true }).click()
    await expect.poll(() => bo.page.getByTestId('join-error').innerText()).toMatch(/No open class has this code/)
    expect(await bo.page.evaluate(() => localStorage.getItem('podnet.classroom'))).toBeNull()
    await expectAccessible(bo.page, 'join page with an error')

    await joinClass(ana.page, host.origin, 'Ana', code)
    await joinClass(bo.page, host.origin, 'Bo', code)
    const rows = teacher.locator('table.learners tbody tr')
    await expect.poll(() => rows.count()).toBe(2)

    // The locked lesson shows as locked to learners, and cannot be opened even by address.
    console.log(`[${new Date().toISOString()}] The locked lesson shows as locked to learners, and cannot be opened even by address.`.slice(0, 90))
    const lockedCard = ana.page.locator('.lesson-card', { hasText: 'Locked by the instructor' })
    await expect.poll(() => lockedCard.count()).toBe(1)
    await expectAccessible(ana.page, 'learner: class lesson list')

    // Ana moves on: the step column changes on the dashboard without a reload.
    console.log(`[${new Date().toISOString()}] Ana moves on: the step column changes on the dashboard without a reload.`.slice(0, 90))
    await ana.page.locator('.lesson-list a').first().click()
    await expect.poll(() => ana.page.locator('#step-title').innerText()).toBe('Welcome')
    const anaStep = teacher.locator('tr[data-learner="Ana"] td[data-col="step"]')
    await expect.poll(() => anaStep.innerText()).toBe('welcome')
    await workToPrediction(ana.page, '62')
    await expect.poll(() => anaStep.innerText()).toBe('predict-ttl')

    // Bo predicts wrong: the distribution shows both answers, counted and marked.
    console.log(`[${new Date().toISOString()}] Bo predicts wrong: the distribution shows both answers, counted and marked.`.slice(0, 90))
    await bo.page.locator('.lesson-list a').first().click()
    await workToPrediction(bo.page, '64')
    const distribution = teacher.locator('.distribution')
    await expect.poll(() => distribution.locator('li[data-answer="62"]').innerText()).toMatch(/62[\s\S]*correct[\s\S]*× 1[\s\S]*Ana/)
    await expect.poll(() => distribution.locator('li[data-answer="64"]').innerText()).toMatch(/64[\s\S]*× 1[\s\S]*Bo/)
    await expect.poll(() => distribution.innerText()).toMatch(/Answered by 2/)
    await expectAccessible(teacher, 'classroom: live dashboard with learners and answers')

    // The projector view shows the same distribution without a single name.
    console.log(`[${new Date().toISOString()}] The projector view shows the same distribution without a single name.`.slice(0, 90))
    const projector = await newPage()
    await projector.page.goto(`${host.url}#/classroom/${teacher.url().split('/').pop() ?? ''}/projector`)
    await expect.poll(() => projector.page.locator('.distribution li[data-answer="64"]').innerText()).toMatch(/× 1/)
    const projected = await projector.page.locator('main').innerText()
    expect(projected).not.toMatch(/\bAna\b|\bBo\b/)
    await expect.poll(() => projector.page.getByTestId('projector-summary').innerText()).toMatch(/^2 joined/)
    await expectAccessible(projector.page, 'classroom: projector view')

    // Learner A cannot read or change learner B's data with A's own token; A's own data answers.
    console.log(`[${new Date().toISOString()}] Learner A cannot read or change learner B's data with A's own token; A's own data answers.`.slice(0, 90))
    const a = await stored(ana.page)
    const b = await stored(bo.page)
    expect(a.learnerId).not.toBe(b.learnerId)
    expect(await callAs(ana.page, a.token, 'progress:summary', { learnerId: b.learnerId })).toBe(403)
    expect(await callAs(ana.page, a.token, 'progress:export', { learnerId: b.learnerId, format: 'json' })).toBe(403)
    expect(await callAs(ana.page, a.token, 'lesson:open', { learnerId: b.learnerId, lessonId: '00-tour' })).toBe(403)
    expect(await callAs(ana.page, a.token, 'class:dashboard', { classId: 'cls_abcdefgh' })).toBe(403)
    expect(await callAs(ana.page, a.token, 'progress:summary', { learnerId: a.learnerId })).toBe(200)

    // A refresh keeps Ana in the class, where she was.
    console.log(`[${new Date().toISOString()}] A refresh keeps Ana in the class, where she was.`.slice(0, 90))
    await ana.page.reload()
    await expect.poll(() => ana.page.locator('.class-bar').innerText()).toContain('as Ana')
    await expect.poll(() => ana.page.locator('#step-title').innerText()).toBe('Predict the TTL')

    // Unlocking during the workshop reaches the learner without rejoining.
    console.log(`[${new Date().toISOString()}] Unlocking during the workshop reaches the learner without rejoining.`.slice(0, 90))
    await teacher.getByRole('button', { name: /^Unlock / }).click()
    await bo.page.goto(`${host.origin}/#/lessons`)
    await bo.page.getByRole('button', { name: 'Check for unlocked lessons' }).click()
    await expect.poll(() => bo.page.locator('.lesson-card', { hasText: 'Locked by the instructor' }).count()).toBe(0)

    // The CSV report: one row per learner × lesson, names sorted, the started lesson in progress.
    console.log(`[${new Date().toISOString()}] The CSV report: one row per learner × lesson, names sorted, the started lesson in progress.`.slice(0, 90))
    const downloading = teacher.waitForEvent('download')
    await teacher.getByRole('button', { name: 'Download CSV' }).click()
    const download = await downloading
    const csv = readFileSync((await download.path()) ?? '', 'utf8').trim().split(/\r\n/)
    expect(csv[0]).toBe('learner_name,learner_id,lesson_id,status,score,passed,time_spent_s,hints_used,started_at,completed_at')
    const body = csv.slice(1).map((line) => line.split(','))
    const lessonsInClass = [...new Set(body.map((r) => r[2]))]
    expect(lessonsInClass[0]).toBe('00-tour')
    expect(lessonsInClass.length).toBeGreaterThanOrEqual(2)
    expect(body).toHaveLength(2 * lessonsInClass.length)
    expect(body.map((r) => r[0])).toEqual([...lessonsInClass.map(() => 'Ana'), ...lessonsInClass.map(() => 'Bo')])
    expect(body.map((r) => r[1])).toEqual([...lessonsInClass.map(() => a.learnerId), ...lessonsInClass.map(() => b.learnerId)])
    const tour = body.filter((r) => r[2] === '00-tour')
    expect(tour.map((r) => r[3])).not.toContain('not-started')
    expect(body.filter((r) => r[2] !== '00-tour').map((r) => r[3])).toEqual(
      body.filter((r) => r[2] !== '00-tour').map(() => 'not-started')
    )

    // Closing the class signs the learners out with a clear message.
    console.log(`[${new Date().toISOString()}] Closing the class signs the learners out with a clear message.`.slice(0, 90))
    await teacher.getByRole('button', { name: 'Close the class…' }).click()
    await teacher.getByRole('button', { name: 'Yes, close the class' }).click()
    await expect.poll(() => teacher.locator('.dashboard .badge').first().innerText()).toBe('Closed')
    await ana.page.goto(`${host.origin}/#/lessons`)
    await ana.page.reload()
    await expect.poll(() => ana.page.locator('.join .notice').innerText()).toMatch(/closed your class/)
    expect(await ana.page.evaluate(() => localStorage.getItem('podnet.classroom'))).toBeNull()
    expect(await callAs(bo.page, b.token, 'progress:summary', { learnerId: b.learnerId })).toBe(401)

    for (const who of [instructor, ana, bo, projector]) {
      expect(who.foreign).toEqual([])
      expect(who.errors).toEqual([])
    }
  }, 300_000)
})
