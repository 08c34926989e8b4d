import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eUnavailable, poll, seriousAxeViolations, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

async function expectAccessible(page: Page, view: string): Promise<void> {
  const violations = await seriousAxeViolations(page)
  expect(violations, `${view}: ${JSON.stringify(violations)}`).toEqual([])
}

const presenting = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.documentElement.dataset['presenting'] ?? null)

describe.skipIf(unavailable !== null)('presenter mode in the lesson workspace', () => {
  const app = withHostAndBrowser('podnet-e2e-presenter-')

  test('large type, a remote steps the packet and the highlight follows, answers and predictions wait for the reveal, B blanks', async () => {
    const { context, foreignRequests } = await app.offlineContext()
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(app.host.url)
    await page.getByLabel('Name').fill('Grace')
    await page.getByRole('button', { name: 'Start' }).click()
    await page.locator('.lesson-list a').first().click()
    const stepTitle = page.locator('#step-title')
    await poll(() => stepTitle.innerText()).toBe('Welcome')

    // The toggle in the lesson view, and P from the keyboard.
    const normalSize = await page.evaluate(() =>
      parseFloat(getComputedStyle(document.documentElement).fontSize)
    )
    await page.getByRole('button', { name: 'Presenter mode' }).click()
    await poll(() => presenting(page)).toBe('true')
    const bigSize = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize))
    expect(bigSize).toBeGreaterThanOrEqual(normalSize * 1.3)
    await poll(() => page.getByTestId('presenter-caption').innerText()).toMatch(
      /No packet on the stepper yet/
    )
    await stepTitle.focus()
    await page.keyboard.press('p')
    await poll(() => presenting(page)).toBeNull()
    await page.keyboard.press('p')
    await poll(() => presenting(page)).toBe('true')
    await page.getByText('Presenter keys').click()
    await poll(() => page.locator('.presenter-keys').innerText()).toMatch(/PageDown[\s\S]*next hop/)

    // Typing in the terminal is never taken for a presenter key: "ip addr" holds a "p".
    const next = page.locator('.step-actions').getByRole('button', { name: 'Next' })
    await next.click()
    await poll(() => stepTitle.innerText()).toBe("Find client's address")
    await page.getByRole('tab', { name: 'client', exact: true }).click()
    await poll(() => page.locator('.xterm-host').getAttribute('data-target')).toBe('client')
    await page.locator('.xterm-host .xterm-helper-textarea').focus()
    await page.keyboard.type('ip addr')
    await page.keyboard.press('Enter')
    await poll(() => page.locator('.task .status').innerText()).toMatch(/^Done/)
    expect(await presenting(page)).toBe('true')
    expect(await page.locator('.presenter-blank').count()).toBe(0)
    // A prediction waits for the reveal like a quiz answer: the room votes before it sees the outcome.
    await next.click()
    await poll(() => stepTitle.innerText()).toBe('Predict the TTL')
    const predict = page.locator('section.predict')
    await predict.getByLabel('Your guess').fill('62')
    await predict.getByRole('button', { name: 'Lock in and run the trace' }).click()
    await poll(() => predict.locator('.held-back').innerText()).toMatch(/Answer recorded/)
    expect(await predict.locator('.reveal').count()).toBe(0)
    expect(await predict.getByRole('button', { name: 'Step through this trace' }).count()).toBe(0)
    expect(await predict.innerText()).not.toMatch(/simulator says|TTL 64/)
    await predict.getByRole('button', { name: 'Reveal the answer' }).click()
    await poll(() => predict.locator('.reveal').innerText()).toContain('You said 62')
    expect(await predict.locator('.held-back').count()).toBe(0)
    await next.click()
    await poll(() => stepTitle.innerText()).toBe('Follow the packet')

    // A presentation remote: PageDown/PageUp step the packet, the caption and the topology follow.
    const caption = page.getByTestId('presenter-caption')
    await poll(() => caption.innerText()).toMatch(/^Hop 1 of \d+:/)
    await stepTitle.focus()
    for (let i = 0; i < 11; i++) await page.keyboard.press('PageDown')
    await page.keyboard.press('PageUp')
    await poll(() => caption.innerText()).toMatch(/^Hop 11 of \d+:/)
    await poll(() => page.locator('.stepper .position').innerText()).toMatch(/^Hop 11 of/)
    await poll(() => page.locator('[data-object="node-1/flannel.1"]').getAttribute('class')).toMatch(
      /current/
    )
    await page.keyboard.press('ArrowLeft')
    await poll(() => caption.innerText()).toMatch(/^Hop 10 of/)
    await page.keyboard.press('ArrowRight')
    await poll(() => caption.innerText()).toMatch(/^Hop 11 of/)
    await expectAccessible(page, 'presenter mode on a trace step')

    // The pinned question opened; its result stays hidden until the presenter reveals it.
    const question = page.locator('form.question[data-question="outer-source"]')
    await question.getByLabel('Your answer').fill('10.244.1.2')
    await question.getByRole('button', { name: 'Check answer' }).click()
    await poll(() => question.locator('.held-back').innerText()).toMatch(/Answer recorded/)
    expect(await question.locator('.grading').count()).toBe(0)
    await question.getByRole('button', { name: 'Reveal the answer' }).click()
    await poll(() => question.locator('.grading').innerText()).toMatch(/Not quite/)

    // B blanks the screen and brings it back; Space plays and pauses; Escape leaves presenter mode.
    await stepTitle.focus()
    await page.keyboard.press('b')
    await poll(() => page.locator('.presenter-blank').isVisible()).toBe(true)
    const cover = await page.locator('.presenter-blank').boundingBox()
    expect(cover?.width).toBe(1280)
    await expectAccessible(page, 'presenter mode, screen blanked')
    await page.keyboard.press('b')
    await poll(() => page.locator('.presenter-blank').count()).toBe(0)
    await stepTitle.focus()
    const play = page.locator('.stepper .controls button[aria-pressed]')
    await page.keyboard.press(' ')
    await poll(() => play.getAttribute('aria-pressed')).toBe('true')
    await page.keyboard.press(' ')
    await poll(() => play.getAttribute('aria-pressed')).toBe('false')
    await page.keyboard.press('Escape')
    await poll(() => presenting(page)).toBeNull()
    await poll(() => page.getByTestId('presenter-caption').count()).toBe(0)
    // Out of presenter mode, the next answer shows at once as it always did.
    expect(await question.locator('.grading').count()).toBe(1)

    expect(foreignRequests).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 300_000)
})
