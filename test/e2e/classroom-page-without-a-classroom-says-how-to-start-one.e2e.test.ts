import { describe, expect, test } from 'vitest'
import { e2eUnavailable, seriousAxeViolations, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

// A web host serving no classroom answers every class method with unknown_method; the Classroom
// page turns that into the way to run a class, in the learner's language, not the host's words.

describe.skipIf(unavailable !== null)('the Classroom page on a host without a classroom', () => {
  const app = withHostAndBrowser('podnet-e2e-no-classroom-')

  for (const { locale, title } of [
    { locale: 'en-US', title: 'This host runs no classroom' },
    { locale: 'zh-CN', title: '这个主机没有运行课堂' }
  ]) {
    test(`explains how to start a class (${locale})`, async () => {
      const { context } = await app.offlineContext({ locale })
      const page = await context.newPage()
      page.setDefaultTimeout(20_000)
      await page.goto(`${app.host.url}#/classroom`)
      const card = page.getByRole('region', { name: title })
      await card.waitFor()
      expect(await card.innerText()).toContain('npm run serve -- --classroom --host')
      expect(await page.content()).not.toContain('no API method')
      expect(await seriousAxeViolations(page)).toEqual([])
      await context.close()
    })
  }
})
