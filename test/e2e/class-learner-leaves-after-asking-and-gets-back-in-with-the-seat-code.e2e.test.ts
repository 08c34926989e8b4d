import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, describe, expect, test } from 'vitest'
import { e2eUnavailable, seriousAxeViolations, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

/** Two cores shared with other work: give the live views time to catch up, the test still fails at the step that broke. */
const poll = <T>(read: () => T | Promise<T>): ReturnType<typeof expect.poll<T>> =>
  expect.poll(read, { timeout: 20_000, interval: 100 })

describe.skipIf(unavailable !== null)(
  'a class learner leaves after asking and gets back in with the seat code',
  () => {
    const app = withHostAndBrowser('podnet-e2e-seats-', { classroom: true })
    const contexts: BrowserContext[] = []

    afterAll(async () => {
      for (const context of contexts) await context.close()
    })

    async function newPage(): Promise<Page> {
      const { context } = await app.offlineContext()
      contexts.push(context)
      const page = await context.newPage()
      page.setDefaultTimeout(30_000)
      return page
    }

    test('the seat code shows on the learner’s screen and the dashboard, and opens the same seat elsewhere', async () => {
      const teacher = await newPage()
      await teacher.goto(`${app.host.url}#/classroom`)
      await teacher.getByLabel('Class name').fill('Seats')
      await teacher.getByRole('button', { name: 'Start the class' }).click()
      const code = (await teacher.getByTestId('join-code').innerText()).trim()

      const labPc = await newPage()
      await labPc.goto(`${app.host.origin}/#/join?code=${code}`)
      await labPc.getByLabel('Your name').fill('Dana')
      await labPc.getByRole('button', { name: 'Join', exact: true }).click()
      const seatText = labPc.getByTestId('seat-code')
      await poll(() => seatText.innerText()).toMatch(/Your seat code: [2-9A-Z]{6}\./)
      const seatCode = /: ([2-9A-Z]{6})\./.exec(await seatText.innerText())![1]!
      await poll(() => teacher.locator('tr[data-learner="Dana"] [data-col="seat"] code').innerText()).toBe(
        seatCode
      )

      // Leaving asks first; only the question's own button leaves.
      await labPc.getByRole('button', { name: 'Leave the class' }).click()
      const question = labPc.getByRole('alertdialog')
      await poll(() => question.innerText()).toContain(seatCode)
      expect(await labPc.evaluate(() => localStorage.getItem('podnet.classroom'))).not.toBeNull()
      await question.getByRole('button', { name: 'Leave', exact: true }).click()
      await poll(() => labPc.getByLabel('Seat code (only to get back into your seat)').inputValue()).toBe(
        seatCode
      )

      // Another browser, no name typed: the class code and the seat code give back Dana's seat.
      const laptop = await newPage()
      await laptop.goto(`${app.host.origin}/#/join?code=${code}`)
      await laptop.getByLabel('Seat code (only to get back into your seat)').fill(seatCode.toLowerCase())
      const violations = await seriousAxeViolations(laptop)
      expect(violations, JSON.stringify(violations)).toEqual([])
      await laptop.getByRole('button', { name: 'Join', exact: true }).click()
      await poll(() => laptop.locator('.class-bar').innerText()).toContain('as Dana')
      await poll(() => teacher.locator('table.learners tbody tr').count()).toBe(1)

      // A second tab of the same browser leaves and takes the seat back; the first tab, still
      // holding the seat's old token, carries on with the new one instead of calling it closed.
      const secondTab = await laptop.context().newPage()
      await secondTab.goto(`${app.host.origin}/`)
      await poll(() => secondTab.locator('.class-bar').innerText()).toContain('as Dana')
      await secondTab.getByRole('button', { name: 'Leave the class' }).click()
      await secondTab.getByRole('alertdialog').getByRole('button', { name: 'Leave', exact: true }).click()
      await poll(() => secondTab.getByLabel('Seat code (only to get back into your seat)').inputValue()).toBe(
        seatCode
      )
      await secondTab.getByLabel('Class code').fill(code)
      await secondTab.getByRole('button', { name: 'Join', exact: true }).click()
      await poll(() => secondTab.locator('.class-bar').innerText()).toContain('as Dana')
      await laptop.getByRole('button', { name: 'Check for unlocked lessons' }).click()
      await poll(() => laptop.evaluate(() => localStorage.getItem('podnet.classroom'))).toContain('"token"')
      await secondTab.reload()
      await poll(() => secondTab.locator('.class-bar').innerText()).toContain('as Dana')
      expect(await laptop.getByRole('alert').count()).toBe(0)
      expect(await secondTab.getByRole('alert').count()).toBe(0)

      // The lab PC takes it back: the laptop says the seat moved, not that the class closed.
      await labPc.getByLabel('Class code').fill(code)
      await labPc.getByRole('button', { name: 'Join', exact: true }).click()
      await poll(() => labPc.locator('.class-bar').innerText()).toContain('as Dana')
      await laptop.getByRole('button', { name: 'Check for unlocked lessons' }).click()
      await poll(() => laptop.getByRole('alert').innerText()).toBe(
        'This browser is no longer in your seat: it was opened in another browser, or your instructor reset it. To continue here, type your seat code.'
      )
      expect(await laptop.getByLabel('Seat code (only to get back into your seat)').inputValue()).toBe(
        seatCode
      )

      // The projector view opens in a window of its own, for the second screen, signed in as the dashboard is.
      const [projector] = await Promise.all([
        teacher.context().waitForEvent('page'),
        teacher.getByRole('link', { name: 'Projector view (no names)' }).click()
      ])
      await poll(() => projector.getByTestId('projector-summary').innerText()).toMatch(/^1 joined/)
      expect(teacher.url()).not.toContain('/projector')
    }, 180_000)
  }
)
