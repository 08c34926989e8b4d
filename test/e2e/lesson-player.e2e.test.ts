import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { courseLessons } from './course-driver.ts'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  seriousAxeViolations,
  startHost,
  tempDir,
  type RunningHost
} from './harness.ts'

const unavailable = e2eUnavailable()

/** The learner's workspace as a test drives it: terminal, stepper, questions, step buttons. */
class Workspace {
  constructor(readonly page: Page) {}

  async expectAccessible(view: string): Promise<void> {
    const violations = await seriousAxeViolations(this.page)
    expect(violations, `${view}: ${JSON.stringify(violations)}`).toEqual([])
  }

  stepTitle(): Promise<string> {
    return this.page.locator('#step-title').innerText()
  }

  async next(): Promise<void> {
    const before = await this.stepTitle()
    const button = this.page
      .locator('.step-actions')
      .getByRole('button', { name: /^(Next|Finish the lesson)$/ })
    await expect.poll(() => button.isEnabled()).toBe(true)
    await button.click()
    await expect
      .poll(() => this.page.locator('#step-title, #completion-title').first().innerText())
      .not.toBe(before)
  }

  terminalText(): Promise<string> {
    return this.page.locator('.xterm-host .xterm-rows').innerText()
  }

  async terminalTab(name: string): Promise<void> {
    await this.page.getByRole('tab', { name, exact: true }).click()
    await expect.poll(() => this.page.locator('.xterm-host').getAttribute('data-target')).toBe(name)
  }

  /** Types a line into the terminal as a learner would, and waits for the next prompt. */
  async type(line: string, expectOutput: RegExp): Promise<void> {
    await this.page.locator('.xterm-host .xterm-helper-textarea').focus()
    await this.page.keyboard.type(line)
    await this.page.keyboard.press('Enter')
    await expect.poll(() => this.terminalText(), { timeout: 10_000 }).toMatch(expectOutput)
  }

  question(id: string): ReturnType<Page['locator']> {
    return this.page.locator(`form.question[data-question="${id}"]`)
  }

  async check(id: string, expected: RegExp): Promise<void> {
    const question = this.question(id)
    await question.getByRole('button', { name: 'Check answer' }).click()
    await expect.poll(() => question.locator('.grading').innerText()).toMatch(expected)
  }
}

describe.skipIf(unavailable !== null)('the lesson player in Chromium over the web host', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-e2e-player-')
  let running: RunningHost

  beforeAll(async () => {
    ;({ browser, close: closeBrowser } = await launchChromium())
    running = await startHost(data.path)
  })

  afterAll(async () => {
    await running?.stop()
    await closeBrowser?.()
    data.remove()
  })

  test('a learner completes the tour: terminal, prediction, stepper and inspector, a quiz wrong then right, completion', async () => {
    const { context, foreignRequests } = await offlineContext(browser, () => running.host.origin)
    const page = await context.newPage()
    // Fail at the step that broke, with its locator, rather than at the test's overall timeout.
    page.setDefaultTimeout(10_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(running.host.url)
    await page.getByLabel('Name').fill('Grace')
    await page.getByRole('button', { name: 'Start' }).click()
    await page.locator('.lesson-list a').first().click()
    const w = new Workspace(page)

    // welcome: a command in the prose runs, with one click, in the shell it names, whichever
    // shell is on screen; its Copy button puts the command alone on the clipboard.
    await expect.poll(() => w.stepTitle()).toBe('Welcome')
    await expect.poll(() => page.locator('.xterm-host .xterm-rows').count()).toBe(1)
    await w.expectAccessible('lesson: read step')
    await w.terminalTab('node-1')
    await page.getByRole('button', { name: 'Run on client: ip route' }).click()
    await expect.poll(() => page.locator('.xterm-host').getAttribute('data-target')).toBe('client')
    await expect
      .poll(() => page.getByRole('tab', { name: 'client', exact: true }).getAttribute('aria-selected'))
      .toBe('true')
    await expect.poll(() => w.terminalText()).toMatch(/default via 10\.244\.1\.1 dev eth0/)
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: running.host.origin })
    await page.getByRole('button', { name: 'Copy: ip route' }).click()
    await expect
      .poll(() => page.locator('.lesson-pane [role="status"]').first().innerText())
      .toBe('Copied to the clipboard.')
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('ip route')
    // kubectl typed in a pod: the shell's own answer, then the lab's note naming where it runs.
    await w.type('kubectl get pods', /bash: kubectl: command not found/)
    await expect
      .poll(async () => (await w.terminalText()).replace(/\s+/g, ''))
      .toContain('notfoundPodnetLab:kubectlisnotinstalledinthisshell.Inthislabitrunsonnode-1,node-2:')
    await w.next()

    // look-around: the task is solved by what the command printed in the right pod.
    await expect.poll(() => w.stepTitle()).toBe("Find client's address")
    await page.getByRole('button', { name: 'Show a hint' }).click()
    await expect.poll(() => page.locator('.hints').innerText()).toMatch(/target menu/)
    await w.terminalTab('client')
    await w.type('ip addr', /inet 10\.244\.1\.2\/24/)
    await expect.poll(() => page.locator('.task .status').innerText()).toMatch(/^Done/)
    await w.next()

    // predict-ttl: the packet it asks about is not sent before the prediction is locked in.
    const sendForm = page.getByRole('form', { name: 'Send a packet' })
    await sendForm.getByLabel('From').selectOption('client')
    await sendForm.getByLabel('To', { exact: true }).fill('10.244.2.2')
    await sendForm.getByLabel('Protocol').selectOption('icmp')
    await sendForm.getByRole('button', { name: 'Send', exact: true }).click()
    await expect
      .poll(() => page.getByRole('alert').first().innerText())
      .toMatch(/^Make your prediction first: this is the packet the lesson asks you to predict\./)
    // Then predict, and the reveal compares with what the simulator did.
    await page.getByLabel('Your guess').fill('62')
    await page.getByRole('button', { name: 'Lock in and run the trace' }).click()
    await expect.poll(() => page.locator('.reveal').innerText()).toMatch(/You predicted it\.[\s\S]*62/)
    await w.next()

    // follow-the-packet: the trace is on the stepper; step forward and back, read the inspector.
    await expect.poll(() => w.stepTitle()).toBe('Follow the packet')
    const position = page.locator('.stepper .position')
    await expect.poll(() => position.innerText()).toMatch(/^Hop 1 of \d+$/)
    await expect.poll(() => page.locator('.question[data-question="outer-source"]').count()).toBe(0)
    const controls = page.locator('.stepper .controls')
    await controls.focus()
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight')
    await expect.poll(() => position.innerText()).toMatch(/^Hop 11 of/)
    const inspector = page.locator('.hop-inspector')
    await expect.poll(() => inspector.innerText()).toMatch(/IP forwarding \(TTL − 1\)/)
    await expect
      .poll(() => inspector.locator('tr.change-changed').innerText())
      .toMatch(/ip\.ttl\s+64\s+63\s+changed/)
    await expect
      .poll(() => page.locator('[data-object="node-1/flannel.1"]').getAttribute('class'))
      .toMatch(/current/)
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Step forward' }).click()
    await expect.poll(() => inspector.innerText()).toMatch(/VXLAN encapsulation/)
    await expect.poll(() => inspector.locator('tr.change-added').first().innerText()).toMatch(/outer/)
    await page.getByRole('button', { name: 'Step back' }).click()
    await expect.poll(() => position.innerText()).toMatch(/^Hop 14 of/)
    await expect
      .poll(() => page.locator('.sentences li').first().textContent())
      .toMatch(/^Hop 1, request, at client: the socket sends\.$/)
    await w.expectAccessible('lesson: trace step with the stepper')

    // The pinned question opened at node-1's flannel.1: wrong first, then right.
    const outer = w.question('outer-source')
    await outer.getByLabel('Your answer').fill('10.244.1.2')
    await w.check('outer-source', /Not quite[\s\S]*inner source/)
    await outer.getByLabel('Your answer').fill('192.168.56.11')
    await outer.getByRole('button', { name: 'Check answer' }).click()
    await expect
      .poll(() => outer.locator('.grading').innerText())
      .toMatch(/Correct[\s\S]*local 192\.168\.56\.11/)
    await w.next()

    // predict-endpoint: choose among options.
    await page.getByRole('radio', { name: 'web-2' }).check()
    await page.getByRole('button', { name: 'Lock in and run the trace' }).click()
    await expect.poll(() => page.locator('.reveal').innerText()).toMatch(/You predicted it/)
    await w.next()

    // break-the-bridge: a command on node-1, then a trace from the stepper form.
    await w.terminalTab('node-1')
    await w.type('ip link set cni0 down', /ip link set cni0 down\s+root@node-1:~#/)
    await expect.poll(() => page.locator('[data-object="node-1/cni0"]').getAttribute('class')).toMatch(/down/)
    const send = page.getByRole('form', { name: 'Send a packet' })
    await send.getByLabel('From').selectOption('client')
    await send.getByLabel('To', { exact: true }).fill('10.244.1.3')
    await send.getByLabel('Protocol').selectOption('icmp')
    await send.getByRole('button', { name: 'Send', exact: true }).click()
    await expect
      .poll(() => page.locator('.stepper .outcome').innerText())
      .toMatch(/client → 10\.244\.1\.3 — ICMP error/)
    await expect.poll(() => page.locator('.stepper .event.dropped').count()).toBeGreaterThan(0)
    await expect.poll(() => page.locator('.task .status').innerText()).toMatch(/^Done/)
    await w.next()

    // repair: history (↑) edits the last command; then prove it with a ping from client.
    await w.terminalTab('node-1')
    await page.locator('.xterm-host .xterm-helper-textarea').focus()
    await page.keyboard.press('ArrowUp')
    for (let i = 0; i < 'down'.length; i++) await page.keyboard.press('Backspace')
    await page.keyboard.type('up')
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.locator('[data-object="node-1/cni0"]').getAttribute('class'))
      .not.toMatch(/down/)
    await w.terminalTab('client')
    await w.type('ping -c 1 10.244.1.3', / 0% packet loss/)
    await expect.poll(() => page.locator('.task .status').innerText()).toMatch(/^Done/)
    await w.next()

    // quiz: every question kind; the first one wrong, then right.
    await expect.poll(() => w.stepTitle()).toBe('Check yourself')
    await w.expectAccessible('lesson: quiz step')
    const gateway = w.question('pod-gateway')
    await gateway.getByRole('radio', { name: /flannel\.1/ }).check()
    await w.check('pod-gateway', /Not quite[\s\S]*VTEP/)
    await gateway.getByRole('radio', { name: /cni0/ }).check()
    await gateway.getByRole('button', { name: 'Check answer' }).click()
    await expect.poll(() => gateway.locator('.grading').innerText()).toMatch(/^Correct/)

    const flannel = w.question('flannel-programs')
    for (const option of [/^A route/, /^A permanent neighbour/, /^An FDB entry/])
      await flannel.getByRole('checkbox', { name: option }).check()
    await w.check('flannel-programs', /^Correct/)

    const order = [
      'client-eth0',
      'node-1-cni0',
      'node-1-flannel',
      'node-1-eth0',
      'node-2-eth0',
      'node-2-flannel',
      'node-2-cni0'
    ]
    const ordering = w.question('hop-order')
    for (const [target, id] of order.entries()) {
      const ids = await ordering
        .locator('.ordering li button[id$="-up"]')
        .evaluateAll((buttons) => buttons.map((b) => b.id))
      let at = ids.indexOf(`q-hop-order-item-${id}-up`)
      while (at > target) {
        await ordering.locator(`#q-hop-order-item-${id}-up`).click()
        at -= 1
      }
    }
    await w.check('hop-order', /^Correct/)

    await w.question('same-node-ttl').getByLabel('Your answer').fill('64')
    await w.check('same-node-ttl', /^Correct/)
    await w.question('vxlan-port').getByLabel('Your answer').fill('8472')
    await w.check('vxlan-port', /^Correct/)

    // hotspot: picked in the topology.
    await page.locator('[data-object="node-2/cni0"]').click()
    await expect
      .poll(() => w.question('gateway-device').getByLabel('Your answer').inputValue())
      .toBe('node-2/cni0')
    await w.check('gateway-device', /^Correct/)
    await expect.poll(() => page.locator('.inspect').innerText()).toMatch(/bridge fdb show br cni0/)
    await w.next()

    // wrap-up, then the completion screen with the score and what to review.
    await expect.poll(() => w.stepTitle()).toBe('Wrap-up')
    await w.next()
    const completion = page.locator('.completion')
    await expect.poll(() => completion.innerText()).toMatch(/Lesson complete[\s\S]*%[\s\S]*Passed/)
    await expect.poll(() => completion.innerText()).toMatch(/Worth reviewing[\s\S]*outer header/)
    await w.expectAccessible('lesson: completion')

    // The dashboard shows the finished lesson with its score.
    await completion.getByRole('link', { name: 'See your progress' }).click()
    const row = page.locator('.progress-table tbody tr[data-lesson="tour"]')
    await expect.poll(() => row.getAttribute('data-status')).toBe('completed')
    await expect.poll(() => row.innerText()).toMatch(/Completed[\s\S]*93%/)
    await expect
      .poll(() => page.locator('.overview').innerText())
      .toMatch(new RegExp(`\\b1 of ${courseLessons().length}\\b`))
    await w.expectAccessible('progress after the tour')

    await context.close()
    expect(errors).toEqual([])
    expect(foreignRequests).toEqual([])
  }, 240_000)

  test('the workspace in Chinese and the dark theme: translated, accessible, a trace readable as text', async () => {
    // A fresh host: the first test's learner has finished the tour, which now opens on its completion screen.
    const fresh = tempDir('podnet-e2e-player-zh-')
    const host = await startHost(fresh.path)
    const { context, foreignRequests } = await offlineContext(browser, () => host.host.origin, {
      colorScheme: 'dark',
      locale: 'zh-CN'
    })
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(host.host.url)
    await page.getByLabel('名字').fill('Lin')
    await page.getByRole('button', { name: '开始' }).click()
    await page.locator('.lesson-list a').first().click()
    const w = new Workspace(page)
    await expect.poll(() => w.stepTitle()).toBe('欢迎')
    await expect.poll(() => page.getByRole('heading', { level: 2, name: '终端' }).count()).toBe(1)

    const send = page.getByRole('form', { name: '发送数据包' })
    await send.getByLabel('目的').fill('10.96.0.120')
    await send.getByLabel('协议').selectOption('tcp')
    await send.getByRole('button', { name: '发送', exact: true }).click()
    await expect
      .poll(() => page.locator('.stepper .outcome').innerText())
      .toMatch(/TCP client → 10\.96\.0\.120:80/)
    // The DNAT to the only endpoint shows as a rewritten destination in the hop list's text form.
    await expect
      .poll(() => page.locator('.sentences').textContent())
      .toMatch(/ip\.dst 由 10\.96\.0\.120 变为 10\.244\.2\.2/)
    await page.locator('.stepper .controls').focus()
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.locator('.stepper .position').innerText()).toMatch(/^第 2 跳/)
    await w.expectAccessible('lesson (zh-CN, dark) with a trace on the stepper')
    await context.close()
    await host.stop()
    fresh.remove()
    expect(foreignRequests).toEqual([])
  })
})
