import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { startClassroomHost, type ClassroomHostRun } from '../../src-main/platform/classroom-host.ts'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  poll,
  rendererDir,
  repoRoot,
  tempDir
} from './harness.ts'

const unavailable = e2eUnavailable()

// The room after the instructor's laptop slept: DHCP hands it another address. 127.0.0.1 and
// 127.0.0.2 are both loopback on Linux without any set-up, so they stand in for the two leases.

describe.skipIf(unavailable !== null)('a class whose host comes back on another address', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-e2e-class-readdress-')
  let service: Service
  let run: ClassroomHostRun
  let origin = ''
  const contexts: { context: BrowserContext; foreign: string[] }[] = []

  const hostOn = (host: string, port: number, className?: string): Promise<ClassroomHostRun> =>
    startClassroomHost({
      handlers: service.handlers,
      lessonDefinition: service.lessonDefinition,
      store: service.store!,
      rendererDir,
      packsDir: join(data.path, 'packs'),
      lessonsDir: join(repoRoot, 'lessons'),
      host,
      port,
      dataDir: data.path,
      ...(className ? { className } : {})
    })

  async function newPage(): Promise<Page> {
    const { context, foreignRequests } = await offlineContext(browser, () => origin)
    contexts.push({ context, foreign: foreignRequests })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    return page
  }

  async function seatCodeOf(page: Page): Promise<string> {
    const seatText = page.getByTestId('seat-code')
    await poll(() => seatText.innerText()).toMatch(/Your seat code: [2-9A-Z]{6}\./)
    return /: ([2-9A-Z]{6})\./.exec(await seatText.innerText())![1]!
  }

  async function joinWithName(page: Page, joinUrl: string, name: string): Promise<string> {
    await page.goto(joinUrl)
    await page.getByLabel('Your name').fill(name)
    await page.getByRole('button', { name: 'Join', exact: true }).click()
    return seatCodeOf(page)
  }

  async function backInSeat(page: Page, joinUrl: string, seatCode: string, name: string): Promise<void> {
    await page.goto(joinUrl)
    await page.getByLabel('Seat code (only to get back into your seat)').fill(seatCode)
    await page.getByRole('button', { name: 'Join', exact: true }).click()
    await poll(() => page.locator('.class-bar').innerText()).toContain(`as ${name}`)
  }

  beforeAll(async () => {
    ;({ browser, close: closeBrowser } = await launchChromium())
    service = createService({
      dataDir: data.path,
      lessonsDir: join(repoRoot, 'lessons'),
      packsDir: join(data.path, 'packs'),
      version: 'test'
    })
  })

  afterAll(async () => {
    for (const { context } of contexts) await context.close()
    await run?.close()
    service?.close()
    await closeBrowser?.()
    data.remove()
  })

  test('learners take their seats back with the join link and seat code, the dashboard lists no one twice', async () => {
    run = await hostOn('127.0.0.1', 0, 'Room 7')
    origin = run.origin
    const port = Number(new URL(run.origin).port)

    const teacher = await newPage()
    await teacher.goto(run.instructorUrl)
    await teacher.getByRole('link', { name: 'Open its dashboard' }).click()
    const ana = await newPage()
    const anaSeat = await joinWithName(ana, run.joinUrl, 'Ana')
    const boSeat = await joinWithName(await newPage(), run.joinUrl, 'Bo')
    await ana.locator('.lesson-list a').first().click()
    const stepTitle = ana.locator('#step-title')
    await poll(() => stepTitle.innerText()).toBe('Welcome')
    await ana.locator('.step-actions').getByRole('button', { name: 'Next' }).click()
    await poll(() => stepTitle.innerText()).toBe("Find client's address")
    await poll(() => teacher.locator('table.learners tbody tr').count()).toBe(2)

    await run.close()
    const first = run
    run = await hostOn('127.0.0.2', port)
    origin = run.origin
    // The same class, code and instructor token: nothing in the join link is tied to the address.
    expect(run).toMatchObject({
      origin: `http://127.0.0.2:${port}`,
      started: false,
      classId: first.classId,
      joinCode: first.joinCode,
      token: first.token,
      joinUrl: first.joinUrl.replace('127.0.0.1', '127.0.0.2')
    })

    // Ana's page is on the old address, whose storage the new one cannot read: the join link on
    // the projector and the seat code on her screen take her back to her seat and her step.
    await backInSeat(ana, run.joinUrl, anaSeat, 'Ana')
    await ana.locator('.lesson-list a').first().click()
    await poll(() => ana.locator('#step-title').innerText()).toBe("Find client's address")
    // Bo's lab PC was wiped in the meantime: another browser, the same two codes.
    const boAgain = await newPage()
    await backInSeat(boAgain, run.joinUrl, boSeat, 'Bo')

    // The instructor link kept in the data folder names the new address, with the same token.
    const link = readFileSync(run.instructorLinkFile!, 'utf8').trim()
    expect(link).toBe(run.instructorUrl)
    await teacher.goto(link)
    await teacher.getByRole('link', { name: 'Open its dashboard' }).click()
    const rows = teacher.locator('table.learners tbody tr')
    await poll(async () =>
      (await rows.evaluateAll((r) => r.map((e) => e.dataset['learner']))).sort()
    ).toEqual(['Ana', 'Bo'])
    await poll(() => teacher.locator('tr[data-learner="Ana"] [data-testid="offline"]').count()).toBe(0)
    await poll(() => teacher.locator('tr[data-learner="Bo"] [data-testid="offline"]').count()).toBe(0)
    expect(await teacher.locator('tr[data-learner="Ana"] [data-col="seat"] code').innerText()).toBe(anaSeat)
    // Pages still open on the old address may call it once more; nothing else left the room.
    for (const { foreign } of contexts) {
      expect(foreign.filter((url) => !url.startsWith(first.origin))).toEqual([])
    }
  }, 240_000)
})
