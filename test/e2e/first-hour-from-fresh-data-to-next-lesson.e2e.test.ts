import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import type { Lesson } from '../../src-main/core/lesson/lesson.schema.ts'
import { CourseDriver, courseLessons } from './course-driver.ts'
import { e2eUnavailable, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()
const poll = expect.poll

const course = courseLessons()
const tour = course[0]?.lesson as Lesson
const second = course[1]?.lesson as Lesson
const stepOf = (id: string): Lesson['steps'][number] => tour.steps.find((s) => s.id === id)!

const terminal = (page: Page) => ({
  target: () => page.locator('.xterm-host').getAttribute('data-target'),
  text: () => page.locator('.xterm-host .xterm-rows').innerText()
})

describe.skipIf(unavailable !== null)('the first hour, from a fresh data folder to the next lesson', () => {
  const app = withHostAndBrowser('podnet-e2e-first-hour-')

  test('first run, the tour by clicks, a restart half-way, Continue to the same step, and on to lesson 2', async () => {
    const { context, foreignRequests } = await app.offlineContext()
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.host.origin })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const driver = new CourseDriver(page, tour)
    const shell = terminal(page)

    // First run: what the app is, how long the tour takes, the language, a name.
    await page.goto(app.host.url)
    await page.getByRole('heading', { level: 1, name: 'Welcome to Podnet Lab' }).waitFor()
    const firstRun = page.locator('.first-run')
    expect(await firstRun.locator('.what').innerText()).toMatch(/simulated cluster/)
    expect(await firstRun.innerText()).toMatch(/The tour takes about \d+ minutes/)
    expect(await page.getByRole('radio', { name: 'English' }).isChecked()).toBe(true)
    await page.getByRole('radio', { name: '简体中文' }).check()
    await page.getByRole('heading', { level: 1, name: '欢迎使用 Podnet Lab' }).waitFor()
    expect(await firstRun.innerText()).toMatch(/导览大约需要 \d+ 分钟/)
    await page.getByRole('radio', { name: 'English' }).check()
    await page.getByRole('heading', { level: 1, name: 'Welcome to Podnet Lab' }).waitFor()
    await page.getByLabel('Name').fill('Ada')
    await page.getByRole('button', { name: 'Take the tour' }).click()

    // The tour begins; a command in the text runs in the shell it names.
    await poll(() => driver.stepTitle()).toBe(stepOf('welcome').title.en)
    await driver.next()
    await poll(() => driver.stepTitle()).toBe(stepOf('look-around').title.en)
    await page.getByRole('button', { name: 'Run on client: ip addr' }).click()
    await poll(() => shell.target()).toBe('client')
    expect(await page.getByRole('tab', { name: 'client', exact: true }).getAttribute('aria-selected')).toBe(
      'true'
    )
    await poll(() => shell.text()).toMatch(/inet 10\.244\.1\.2\/24/)
    await poll(() => page.locator('.task .status').innerText()).toMatch(/^Done/)

    // Copy puts exactly the command on the clipboard, prompt and all left out.
    await page.locator('.prose').getByRole('button', { name: 'Copy: ip addr' }).click()
    await poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('ip addr')

    await driver.next()
    await driver.doStep(stepOf('predict-ttl'))
    await driver.next()
    await driver.doStep(stepOf('follow-the-packet'))
    await driver.next()

    // kubectl lives on the nodes: the text says node-1, and node-1's shell runs it.
    await poll(() => driver.stepTitle()).toBe(stepOf('predict-endpoint').title.en)
    await page.getByRole('button', { name: 'Run on node-1: kubectl get svc -o wide' }).click()
    await poll(() => shell.target()).toBe('node-1')
    expect(await page.getByRole('tab', { name: 'node-1', exact: true }).getAttribute('aria-selected')).toBe(
      'true'
    )
    await poll(() => shell.text()).toMatch(/api\s+ClusterIP\s+10\.96\.0\.120/)
    expect(await shell.text()).not.toMatch(/not found/)
    await driver.doStep(stepOf('predict-endpoint'))
    await driver.next()

    // Half-way: the bridge taken down, the packet not yet traced, and the learner leaves.
    await poll(() => driver.stepTitle()).toBe(stepOf('break-the-bridge').title.en)
    const stepNumber = tour.steps.findIndex((s) => s.id === 'break-the-bridge') + 1
    await driver.run('node-1', 'ip link set cni0 down')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Lessons' }).click()
    await page.getByRole('heading', { level: 1, name: 'Lessons' }).waitFor()

    // The app restarts on the same data folder and port; the page reloads.
    await app.restartHost()
    await page.reload()
    const next = page.locator('.next-lesson')
    await poll(() => next.locator('h2').innerText()).toMatch(/^Continue where you left off$/i)
    expect(await next.innerText()).toContain(tour.title.en)
    expect(await next.innerText()).toContain(
      `Step ${stepNumber} of ${tour.steps.length}: ${stepOf('break-the-bridge').title.en}`
    )
    await next.getByRole('link', { name: tour.title.en }).click()

    // Same step, the earlier steps' answers kept, and the lab as it was left: cni0 still down.
    await poll(() => driver.stepTitle()).toBe(stepOf('break-the-bridge').title.en)
    const nav = page.getByRole('navigation', { name: 'Steps' })
    expect(await nav.locator('[aria-current="step"]').textContent()).toContain(
      stepOf('break-the-bridge').title.en
    )
    await nav.getByRole('button', { name: new RegExp(`^${stepOf('predict-ttl').title.en}`) }).click()
    await poll(() => page.locator('.step-review .reveal').innerText()).toMatch(/You predicted it/)
    await page.getByRole('button', { name: 'Back to the current step' }).click()
    await poll(() => driver.stepTitle()).toBe(stepOf('break-the-bridge').title.en)
    await driver.run('node-1', 'ip link show cni0')
    expect(await shell.text()).toMatch(/cni0: <[^>]*>.* state DOWN/)

    // The rest of the tour, then the completion card leads to lesson 2.
    await driver.send({ from: 'client', to: '10.244.1.3', protocol: 'icmp' })
    await poll(() => page.locator('.task .status').innerText()).toMatch(/^Done/)
    await driver.next()
    await driver.complete()
    const completion = page.locator('.completion')
    await completion.getByRole('link', { name: `Next lesson: ${second.title.en}` }).click()
    await poll(() => driver.stepTitle()).toBe(second.steps[0]?.title.en)
    expect(page.url()).toContain(`#/lessons/${second.id}`)

    await context.close()
    expect(errors).toEqual([])
    expect(foreignRequests).toEqual([])
  }, 300_000)
})
