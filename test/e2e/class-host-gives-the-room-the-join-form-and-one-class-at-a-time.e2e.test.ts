import type { Browser } from 'playwright-core'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { startClassroomHost, type ClassroomHostRun } from '../../src-main/platform/classroom-host.ts'
import { e2eUnavailable, launchChromium, offlineContext, rendererDir, repoRoot, tempDir } from './harness.ts'

const unavailable = e2eUnavailable()

// The class host as `npm run serve -- --classroom` runs it, with a class open: what a student
// typing the bare address sees, and what the instructor's page offers.

describe.skipIf(unavailable !== null)('a class host with a class running', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-e2e-class-room-')
  let service: Service
  let run: ClassroomHostRun

  beforeAll(async () => {
    ;({ browser, close: closeBrowser } = await launchChromium())
    service = createService({
      dataDir: data.path,
      lessonsDir: join(repoRoot, 'lessons'),
      packsDir: join(data.path, 'packs'),
      version: 'test'
    })
    run = await startClassroomHost({
      handlers: service.handlers,
      lessonDefinition: service.lessonDefinition,
      store: service.store!,
      rendererDir,
      packsDir: join(data.path, 'packs'),
      lessonsDir: join(repoRoot, 'lessons'),
      host: '127.0.0.1',
      port: 0,
      dataDir: data.path,
      className: 'Networking, day 1'
    })
  })

  afterAll(async () => {
    await run?.close()
    service?.close()
    await closeBrowser?.()
    data.remove()
  })

  test('the bare address gives a student the join form, never the request for a token link', async () => {
    const { context, foreignRequests } = await offlineContext(browser, () => run.origin)
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    await page.goto(`${run.origin}/`)
    await page.getByLabel('Class code').waitFor()
    expect(page.url()).toMatch(/#\/join/)
    expect(await page.getByRole('heading', { name: 'Open Podnet Lab with its link' }).count()).toBe(0)
    expect(foreignRequests).toEqual([])
    await context.close()
  })

  test('the instructor page offers no "Start a class" while one is running, only its dashboard', async () => {
    const { context } = await offlineContext(browser, () => run.origin)
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    await page.goto(run.instructorUrl)
    await page.getByRole('heading', { name: '“Networking, day 1” is running' }).waitFor()
    expect(await page.getByRole('heading', { name: 'Start a class' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Start the class' }).count()).toBe(0)
    await page.getByRole('link', { name: 'Open its dashboard' }).click()
    expect(page.url()).toContain(`#/classroom/${run.classId}`)
    await context.close()
  })
})
