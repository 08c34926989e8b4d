import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import type { RunningClassHost } from '../../src-main/api/class-host-contract.ts'
import { dispatch } from '../../src-main/api/dispatch.ts'
import { methodNames } from '../../src-main/api/method-names.ts'
import { createService, type Service } from '../../src-main/api/service.ts'
import { createClassHostLauncher } from '../../src-main/platform/classroom-host.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  repoRoot,
  rendererDir,
  seriousAxeViolations,
  tempDir
} from './harness.ts'

const unavailable = e2eUnavailable()
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 })

/**
 * The desktop app's Classroom page in Chromium. The one part of Electron it cannot have, the
 * preload's `window.podnet`, is stood in for as the preload builds it: one function per contract
 * method, each handing its input to the main side's `dispatch` (as `ipcMain.handle` does). The
 * second Electron window is a second browser context opening the instructor URL the launcher gave.
 */
describe.skipIf(unavailable !== null)('the desktop app runs a class from its Classroom page', () => {
  const data = tempDir('podnet-e2e-desktop-class-')
  let browser: Browser
  let closeBrowser: () => Promise<void>
  let service: Service
  let shell: WebHost
  let app: Page
  const opened: RunningClassHost[] = []

  beforeAll(async () => {
    const packsDir = join(data.path, 'packs')
    const launcher = createClassHostLauncher({
      service: () => service,
      rendererDir,
      packsDir,
      lessonsDir: join(repoRoot, 'lessons'),
      defaultPort: 0,
      interfaces: () => ({
        wlan0: [
          {
            address: '192.0.2.55',
            netmask: '255.255.255.0',
            family: 'IPv4',
            mac: '3c:22:fb:01:02:03',
            internal: false,
            cidr: '192.0.2.55/24'
          }
        ]
      }),
      instructorWindow: { open: (host) => opened.push(host), close: () => undefined }
    })
    service = createService({
      dataDir: data.path,
      lessonsDir: join(repoRoot, 'lessons'),
      packsDir,
      version: 'test',
      classHost: launcher
    })
    // Only serves the renderer's files to the "desktop" page; its API calls all go through the bridge.
    shell = await startWebHost({ handlers: service.handlers, rendererDir })
    ;({ browser, close: closeBrowser } = await launchChromium())
    const { context } = await offlineContext(browser, () => shell.origin)
    await context.exposeFunction('podnetInvoke', (method: string, input: unknown) =>
      dispatch(service.handlers, method, input)
    )
    await context.addInitScript((names: readonly string[]) => {
      const target = window as unknown as {
        podnet: Record<string, (input: unknown) => Promise<unknown>>
        podnetInvoke: (method: string, input: unknown) => Promise<unknown>
      }
      target.podnet = Object.fromEntries(
        names.map((name) => [name, (input: unknown) => target.podnetInvoke(name, input)])
      )
    }, methodNames)
    app = await context.newPage()
    app.setDefaultTimeout(15_000)
  })

  afterAll(async () => {
    await dispatch(service.handlers, 'classroomHost:stop', {})
    await closeBrowser?.()
    await shell?.close()
    service?.close()
    data.remove()
  })

  test('the nav offers the Classroom, whose panel lists the addresses and passes axe', async () => {
    await app.goto(`${shell.origin}/#/lessons`)
    await app.getByRole('navigation').getByRole('link', { name: 'Classroom' }).click()
    await app.getByRole('heading', { name: 'Run a class on this network' }).waitFor()
    const group = app.getByRole('group', { name: 'Network address learners reach this computer at' })
    await expect.poll(() => group.getByRole('radio').count()).toBe(2)
    expect(await group.getByRole('radio', { name: '192.0.2.55 (wlan0)' }).isChecked()).toBe(true)
    await expect.poll(() => app.getByRole('heading', { name: 'Classes on this computer' }).count()).toBe(0)
    expect(await seriousAxeViolations(app)).toEqual([])
  })

  test('an address that is gone is reported in words', async () => {
    await app.getByRole('button', { name: 'Start', exact: true }).click()
    await poll(() => app.getByRole('alert').innerText()).toContain(
      '192.0.2.55 is not an address of this computer (any more); pick one again.'
    )
  })

  test('Start shows the join code, URL and QR code, and opens the instructor window', async () => {
    await app.getByRole('radio', { name: '127.0.0.1: this computer only, for a rehearsal' }).check()
    await app.getByLabel('Class name (optional)').fill('Desktop rehearsal')
    await app.getByRole('button', { name: 'Start', exact: true }).click()
    await app
      .getByRole('status')
      .filter({ hasText: 'Class “Desktop rehearsal” is running at http://127.0.0.1:' })
      .waitFor()
    await vi.waitFor(() => expect(opened).toHaveLength(1))
    const host = opened[0]!
    expect((await app.getByTestId('join-code').innerText()).trim()).toBe(host.joinCode)
    expect(await app.getByTestId('join-url').innerText()).toBe(host.joinUrl)
    await app.getByRole('img', { name: `QR code for ${host.joinUrl}` }).waitFor()
    expect(await seriousAxeViolations(app)).toEqual([])

    await app.getByRole('button', { name: 'Open the instructor dashboard' }).click()
    await vi.waitFor(() => expect(opened).toHaveLength(2))
  })

  test('a learner joins from a browser and the instructor window sees them', async () => {
    const host = opened[0]!
    const learner = (await offlineContext(browser, () => host.origin)).context
    const learnerPage = await learner.newPage()
    learnerPage.setDefaultTimeout(15_000)
    await learnerPage.goto(host.joinUrl)
    await poll(() => learnerPage.getByLabel('Class code').inputValue()).toBe(host.joinCode)
    await learnerPage.getByLabel('Your name').fill('Bo')
    await learnerPage.getByRole('button', { name: 'Join', exact: true }).click()
    await learnerPage.locator('.lesson-list a').first().waitFor()

    const instructor = (await offlineContext(browser, () => host.origin)).context
    const dashboard = await instructor.newPage()
    dashboard.setDefaultTimeout(15_000)
    await dashboard.goto(host.instructorUrl)
    await dashboard.getByRole('link', { name: 'Desktop rehearsal' }).click()
    await dashboard.locator('tr[data-learner="Bo"]').waitFor()
    expect(await dashboard.evaluate(() => 'podnet' in window)).toBe(false)
    await learner.close()
    await instructor.close()
  })

  test('the panel speaks Chinese too', async () => {
    await app.getByRole('button', { name: '中文' }).click()
    await app.getByRole('heading', { name: '在本网络开课' }).waitFor()
    await app.getByRole('button', { name: '打开讲师面板' }).waitFor()
    expect(await seriousAxeViolations(app)).toEqual([])
    await app.getByRole('button', { name: 'English' }).click()
    await app.getByRole('heading', { name: 'Run a class on this network' }).waitFor()
  })

  test('a class closed in the instructor window shows as closed once the app window has the focus again', async () => {
    const host = opened[0]!
    const token = new URL(host.instructorUrl).searchParams.get('token')!
    const closed = await fetch(`${host.origin}/api/class:close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ classId: host.classId })
    })
    expect(closed.status).toBe(200)
    await app.evaluate(() => window.dispatchEvent(new Event('focus')))
    await poll(() => app.getByRole('alert').innerText()).toContain('This class was closed on the dashboard')
    expect(await seriousAxeViolations(app)).toEqual([])
  })

  test('Stop closes the address learners used and offers Start again', async () => {
    const host = opened[0]!
    await app.getByRole('button', { name: 'Stop', exact: true }).click()
    await app.getByRole('button', { name: 'Start', exact: true }).waitFor()
    await expect(fetch(host.joinUrl)).rejects.toThrow()
  })
})
