import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eUnavailable, withHostAndBrowser } from './harness.ts'
import { KeyboardUser } from './keyboard.ts'

const unavailable = e2eUnavailable()

describe.skipIf(unavailable !== null)('the tour, by keyboard only, in Chromium', () => {
  const app = withHostAndBrowser('podnet-e2e-keyboard-')

  test('Tab, Shift+Tab, Enter, Space and arrows alone complete the tour, with focus always visible', async () => {
    const { context, foreignRequests } = await app.offlineContext()
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(app.host.url)
    const kb = new KeyboardUser(page)
    const stepTitle = (): Promise<string> => page.locator('#step-title').innerText()
    const terminalText = (): Promise<string> => page.locator('.xterm-host .xterm-rows').innerText()
    const taskStatus = (): Promise<string> => page.locator('.task .status').innerText()
    const next = async (): Promise<void> => {
      const before = await stepTitle()
      const button = page.locator('.step-actions').getByRole('button', { name: /^(Next|Finish the lesson)$/ })
      await expect.poll(() => button.isEnabled()).toBe(true)
      await kb.press(button)
      await expect
        .poll(() => page.locator('#step-title, #completion-title').first().innerText())
        .not.toBe(before)
    }
    /** Focus the lab's tab list (the packet view, then one tab per shell), then arrow to the target's tab. */
    const terminalTab = async (name: string): Promise<void> => {
      const tab = page.getByRole('tab', { name, exact: true })
      await kb.tabTo(page.getByRole('tablist', { name: 'Packet view and shells' }))
      for (let i = 0; i < 12 && (await tab.getAttribute('aria-selected')) !== 'true'; i++)
        await kb.key('ArrowRight')
      await expect.poll(() => tab.getAttribute('aria-selected')).toBe('true')
      await expect.poll(() => page.locator('.xterm-host').getAttribute('data-target')).toBe(name)
    }
    const typeInTerminal = async (line: string, expectOutput: RegExp): Promise<void> => {
      await kb.tabTo(page.locator('.xterm-host'))
      await kb.type(line)
      await kb.key('Enter')
      await expect.poll(() => terminalText(), { timeout: 10_000 }).toMatch(expectOutput)
    }
    const check = async (page: Page, id: string, expected: RegExp): Promise<void> => {
      const question = page.locator(`form.question[data-question="${id}"]`)
      await kb.press(question.getByRole('button', { name: 'Check answer' }))
      await expect.poll(() => question.locator('.grading').innerText()).toMatch(expected)
    }

    // First run: a name, and Enter takes the tour.
    await kb.tabTo(page.getByLabel('Name'))
    await kb.type('Kay')
    await kb.key('Enter')
    await expect.poll(() => stepTitle()).toBe('Welcome')

    // A command in the prose runs in the shell it names.
    await expect.poll(() => page.locator('.xterm-host .xterm-rows').count()).toBe(1)
    await kb.press(page.getByRole('button', { name: 'Run on client: ip route' }))
    await expect.poll(() => terminalText()).toMatch(/default via 10\.244\.1\.1 dev eth0/)
    await next()

    // A task solved by typing in the right pod's shell.
    await expect.poll(() => stepTitle()).toBe("Find client's address")
    await kb.press(page.getByRole('button', { name: 'Show a hint' }))
    await expect.poll(() => page.locator('.hints').innerText()).toMatch(/target menu/)
    await terminalTab('client')
    await typeInTerminal('ip addr', /inet 10\.244\.1\.2\/24/)
    await expect.poll(() => taskStatus()).toMatch(/^Done/)
    await next()

    // A prediction typed and submitted with Enter.
    await kb.tabTo(page.getByLabel('Your guess'))
    await kb.type('62')
    await kb.key('Enter')
    await expect.poll(() => page.locator('.reveal').innerText()).toMatch(/You predicted it\.[\s\S]*62/)
    await next()

    // The stepper: → steps, Space plays and pauses, ← steps back; the inspector follows.
    await expect.poll(() => stepTitle()).toBe('Follow the packet')
    const position = page.locator('.stepper .position')
    const hop = async (): Promise<number> => Number((await position.innerText()).match(/^Hop (\d+)/)?.[1])
    await expect.poll(() => position.innerText()).toMatch(/^Hop 1 of \d+$/)
    await kb.tabTo(page.locator('.stepper .controls'))
    await kb.key('ArrowRight', 10)
    await expect.poll(() => hop()).toBe(11)
    const inspector = page.locator('.hop-inspector')
    await expect.poll(() => inspector.innerText()).toMatch(/IP forwarding \(TTL − 1\)/)
    await expect
      .poll(() => inspector.locator('tr.change-changed').innerText())
      .toMatch(/ip\.ttl\s+64\s+63\s+changed/)
    // The packet is drawn on flannel.1 in the topology.
    await expect
      .poll(() => page.locator('.topology .packet').getAttribute('data-at'))
      .toBe('node-1/flannel.1')
    await kb.key(' ')
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).count()).toBe(1)
    await expect.poll(() => hop(), { timeout: 10_000 }).toBeGreaterThanOrEqual(13)
    await kb.key(' ')
    await expect.poll(() => page.getByRole('button', { name: 'Play' }).count()).toBe(1)
    const paused = await hop()
    await kb.key('ArrowLeft')
    await expect.poll(() => hop()).toBe(paused - 1)
    const toEncapsulation = 15 - (paused - 1)
    await kb.key(toEncapsulation >= 0 ? 'ArrowRight' : 'ArrowLeft', Math.abs(toEncapsulation))
    await expect.poll(() => hop()).toBe(15)
    await expect.poll(() => inspector.innerText()).toMatch(/VXLAN encapsulation/)
    await expect.poll(() => inspector.locator('tr.change-added').first().innerText()).toMatch(/outer/)

    // The question pinned to flannel.1: wrong, then right.
    const outer = page.locator('form.question[data-question="outer-source"]')
    await kb.tabTo(outer.getByLabel('Your answer'))
    await kb.type('10.244.1.2')
    await kb.key('Enter')
    await expect.poll(() => outer.locator('.grading').innerText()).toMatch(/Not quite[\s\S]*inner source/)
    await kb.tabTo(outer.getByLabel('Your answer'))
    await kb.key('Control+A')
    await kb.type('192.168.56.11')
    await kb.key('Enter')
    await expect
      .poll(() => outer.locator('.grading').innerText())
      .toMatch(/Correct[\s\S]*local 192\.168\.56\.11/)
    await next()

    // A choice among options: arrows move within the radio group.
    const predict = page.locator('.predict')
    await kb.tabTo(predict.locator('fieldset'))
    for (let i = 0; i < 4 && !(await predict.getByRole('radio', { name: 'web-2' }).isChecked()); i++)
      await kb.key('ArrowDown')
    await kb.press(predict.getByRole('button', { name: 'Lock in and run the trace' }))
    await expect.poll(() => page.locator('.reveal').innerText()).toMatch(/You predicted it/)
    await next()

    // Break the bridge from node-1's shell, then send a packet from the stepper's form.
    await terminalTab('node-1')
    await typeInTerminal('ip link set cni0 down', /ip link set cni0 down\s+root@node-1:~#/)
    await expect.poll(() => page.locator('[data-object="node-1/cni0"]').getAttribute('class')).toMatch(/down/)
    const send = page.getByRole('form', { name: 'Send a packet' })
    await kb.tabTo(send.getByLabel('From'))
    await kb.type('client')
    await expect.poll(() => send.getByLabel('From').inputValue()).toBe('client')
    await kb.tabTo(send.getByLabel('To', { exact: true }))
    await kb.key('Control+A')
    await kb.type('10.244.1.3')
    await kb.tabTo(send.getByLabel('Protocol'))
    await kb.type('ICMP')
    await expect.poll(() => send.getByLabel('Protocol').inputValue()).toBe('icmp')
    await kb.press(send.getByRole('button', { name: 'Send', exact: true }))
    await expect
      .poll(() => page.locator('.stepper .outcome').innerText())
      .toMatch(/client → 10\.244\.1\.3 — ICMP error/)
    await expect.poll(() => taskStatus()).toMatch(/^Done/)
    await next()

    // Repair it with the shell's history, then prove it with a ping.
    await terminalTab('node-1')
    await kb.tabTo(page.locator('.xterm-host'))
    await kb.key('ArrowUp')
    await kb.key('Backspace', 'down'.length)
    await kb.type('up')
    await kb.key('Enter')
    await expect
      .poll(() => page.locator('[data-object="node-1/cni0"]').getAttribute('class'))
      .not.toMatch(/down/)
    await terminalTab('client')
    await typeInTerminal('ping -c 1 10.244.1.3', / 0% packet loss/)
    await expect.poll(() => taskStatus()).toMatch(/^Done/)
    await next()

    // The quiz: every kind by keyboard; the first question wrong, then right.
    await expect.poll(() => stepTitle()).toBe('Check yourself')
    const gateway = page.locator('form.question[data-question="pod-gateway"]')
    await kb.tabTo(gateway.getByRole('radio').first())
    await kb.key('ArrowDown')
    await expect.poll(() => gateway.getByRole('radio', { name: /flannel\.1/ }).isChecked()).toBe(true)
    await check(page, 'pod-gateway', /Not quite[\s\S]*VTEP/)
    await kb.tabTo(gateway.getByRole('radio', { name: /flannel\.1/ }))
    await kb.key('ArrowUp')
    await expect.poll(() => gateway.getByRole('radio', { name: /cni0/ }).isChecked()).toBe(true)
    await check(page, 'pod-gateway', /^Correct/)

    const flannel = page.locator('form.question[data-question="flannel-programs"]')
    for (const option of [/^A route/, /^A permanent neighbour/, /^An FDB entry/])
      await kb.press(flannel.getByRole('checkbox', { name: option }), 'Space')
    await check(page, 'flannel-programs', /^Correct/)

    const ordering = page.locator('form.question[data-question="hop-order"]')
    const order = [
      'client-eth0',
      'node-1-cni0',
      'node-1-flannel',
      'node-1-eth0',
      'node-2-eth0',
      'node-2-flannel',
      'node-2-cni0'
    ]
    for (const [target, id] of order.entries()) {
      const ids = await ordering
        .locator('.ordering li button[id$="-up"]')
        .evaluateAll((buttons) => buttons.map((b) => b.id))
      let at = ids.indexOf(`q-hop-order-item-${id}-up`)
      if (at > target) await kb.tabTo(ordering.locator(`#q-hop-order-item-${id}-up`))
      // Each move keeps focus on the moved item's button, so Enter again moves it further.
      for (; at > target; at--) await kb.key('Enter')
    }
    await check(page, 'hop-order', /^Correct/)

    const ttl = page.locator('form.question[data-question="same-node-ttl"]')
    await kb.tabTo(ttl.getByLabel('Your answer'))
    await kb.type('64')
    await kb.key('Enter')
    await expect.poll(() => ttl.locator('.grading').innerText()).toMatch(/^Correct/)
    const port = page.locator('form.question[data-question="vxlan-port"]')
    await kb.tabTo(port.getByLabel('Your answer'))
    await kb.type('8472')
    await kb.key('Enter')
    await expect.poll(() => port.locator('.grading').innerText()).toMatch(/^Correct/)

    // The hotspot, picked in the topology with Enter.
    await kb.press(page.locator('[data-object="node-2/cni0"]'))
    const hotspot = page.locator('form.question[data-question="gateway-device"]')
    await expect.poll(() => hotspot.getByLabel('Your answer').inputValue()).toBe('node-2/cni0')
    await check(page, 'gateway-device', /^Correct/)
    await next()

    // Wrap-up, completion, and the dashboard.
    await expect.poll(() => stepTitle()).toBe('Wrap-up')
    await next()
    const completion = page.locator('.completion')
    await expect.poll(() => completion.innerText()).toMatch(/Lesson complete[\s\S]*%[\s\S]*Passed/)
    await kb.press(completion.getByRole('link', { name: 'See your progress' }))
    const row = page.locator('.progress-table tbody tr[data-lesson="tour"]')
    await expect.poll(() => row.getAttribute('data-status')).toBe('completed')
    await expect.poll(() => row.innerText()).toMatch(/Completed[\s\S]*\d+%/)

    expect(kb.invisibleFocus, 'elements that took focus without showing it').toEqual([])
    await context.close()
    expect(errors).toEqual([])
    expect(foreignRequests).toEqual([])
  }, 300_000)
})
