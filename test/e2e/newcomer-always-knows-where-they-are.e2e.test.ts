import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eUnavailable, seriousAxeViolations, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()
const poll = expect.poll

describe.skipIf(unavailable !== null)('a newcomer finds their way, in Chromium', () => {
  const app = withHostAndBrowser('podnet-e2e-newcomer-')

  async function openPage(options: { colorScheme?: 'light' | 'dark'; locale?: string } = {}): Promise<Page> {
    const { context } = await app.offlineContext(options)
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    return page
  }

  async function expectAccessible(page: Page, view: string): Promise<void> {
    const violations = await seriousAxeViolations(page)
    expect(violations, `${view}: ${JSON.stringify(violations)}`).toEqual([])
  }

  const focusedText = (page: Page): Promise<string> =>
    page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText.trim() ?? '')

  test('the first-run screen says what the app is, takes a language and a name, and starts the tour', async () => {
    const page = await openPage({ locale: 'en-US' })
    await page.goto(app.host.url)
    await page.getByRole('heading', { level: 1, name: 'Welcome to Podnet Lab' }).waitFor()
    expect(await page.locator('.first-run .what').innerText()).toMatch(/simulated cluster/)

    await page.getByRole('radio', { name: '简体中文' }).check()
    await poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN')
    await expectAccessible(page, 'first run (zh-CN)')
    await page.getByLabel('名字').fill('Kay')
    await page.getByRole('button', { name: '参加导览' }).click()

    await poll(() => page.locator('#step-title').innerText()).toBe('欢迎')
    await poll(() => page.locator('.menu-button').getAttribute('aria-expanded')).toBe('false')
    const { profiles, activeSettings } = await app.service.handlers['profiles:list']({})
    expect(profiles.map((p) => p.name)).toEqual(['Kay'])
    expect(activeSettings?.locale).toBe('zh-CN')
    await page.context().close()
  })

  test('the lesson list numbers its lessons, says where the learner is and offers one click back to it', async () => {
    const h = app.service.handlers
    const { activeId } = await h['profiles:list']({})
    const learnerId = activeId!
    await h['settings:set']({ learnerId, settings: { locale: 'en' } })
    // The tour up to its prediction, answered: one step further and a first attempt on record.
    const ref = { learnerId, lessonId: 'tour' }
    await h['lesson:send']({ ...ref, event: { type: 'user.next' } })
    await h['shell:exec']({ ...ref, on: 'client', line: 'ip addr' })
    await h['lesson:send']({ ...ref, event: { type: 'user.next' } })
    await h['lesson:send']({ ...ref, event: { type: 'user.predict', value: 62 } })

    const page = await openPage()
    await page.goto(`${app.host.url}#/lessons`)
    const next = page.locator('.next-lesson')
    await poll(() => next.locator('h2').innerText()).toMatch(/^Continue where you left off$/i)
    expect(await next.innerText()).toMatch(/A tour of Podnet Lab[\s\S]*Step 3 of 9/)
    const cards = page.locator('.lesson-list > li')
    expect(await cards.count()).toBeGreaterThan(5)
    expect(await cards.nth(0).locator('.number').innerText()).toBe('1')
    expect(await cards.nth(0).locator('.lesson-status').innerText()).toBe('Step 3 of 9')
    expect(await cards.nth(1).locator('.lesson-status').innerText()).toBe('Not started')
    expect(await cards.nth(1).locator('.summary').innerText()).toMatch(/pause container/)
    await expectAccessible(page, 'lessons with a lesson under way')

    await next.getByRole('link').click()
    await poll(() => page.locator('#step-title').innerText()).toBe('Predict the TTL')
    await page.context().close()
  })

  test('Progress shows mastery per topic as bars with their numbers, and the step of an unfinished lesson', async () => {
    for (const [colorScheme, locale] of [
      ['light', 'en'],
      ['dark', 'zh-CN']
    ] as const) {
      const { activeId } = await app.service.handlers['profiles:list']({})
      await app.service.handlers['settings:set']({
        learnerId: activeId!,
        settings: { locale, theme: colorScheme }
      })
      const page = await openPage({ colorScheme })
      await page.goto(`${app.host.url}#/progress`)
      const bars = page.locator('.mastery li')
      await poll(() => bars.count()).toBe(5)
      expect(await bars.first().locator('svg text').textContent()).toBe('100%')
      expect(await page.locator('.unanswered').innerText()).toMatch(
        locale === 'en' ? /^Not answered yet: / : /^尚未作答：/
      )
      const tourRow = page.locator('.progress-table tr[data-lesson="tour"]')
      expect(await tourRow.locator('.step').innerText()).toBe(
        locale === 'en' ? 'Step 3 of 9' : '第 3 步，共 9 步'
      )
      await expectAccessible(page, `progress (${locale}, ${colorScheme})`)
      await page.context().close()
    }
    await app.service.handlers['settings:set']({
      learnerId: (await app.service.handlers['profiles:list']({})).activeId!,
      settings: { locale: 'en', theme: 'light' }
    })
  })

  test('the learner menu adds, switches, renames and deletes learners by keyboard, and keeps the others’ progress', async () => {
    const page = await openPage()
    await page.goto(`${app.host.url}#/lessons`)
    const menuButton = page.locator('.menu-button')
    await poll(() => menuButton.innerText()).toContain('Kay')

    // Opens on the learner who is active; arrows move, Esc closes and gives focus back.
    await menuButton.focus()
    await page.keyboard.press('ArrowDown')
    await poll(() => focusedText(page)).toBe('Kay')
    await expectAccessible(page, 'learner menu open')
    await page.keyboard.press('ArrowDown')
    await poll(() => focusedText(page)).toBe('New learner…')
    await page.keyboard.press('Escape')
    await poll(() => page.locator('.menu').isHidden()).toBe(true)
    await poll(() => page.evaluate(() => document.activeElement?.classList.contains('menu-button'))).toBe(
      true
    )

    // New learner…
    await page.keyboard.press('Enter')
    await page.getByRole('menuitem', { name: 'New learner…' }).click()
    const dialog = page.getByRole('dialog', { name: 'New learner' })
    await dialog.getByLabel('Name').fill('Lin')
    await expectAccessible(page, 'new learner dialog')
    await dialog.getByRole('button', { name: 'Add and switch to this learner' }).click()
    await poll(() => menuButton.innerText()).toContain('Lin')
    await poll(() => page.locator('.lesson-list .lesson-status').first().innerText()).toBe('Not started')

    // Rename…
    await menuButton.click()
    await page.getByRole('menuitem', { name: 'Rename “Lin”…' }).click()
    const rename = page.getByRole('dialog', { name: 'Rename “Lin”' })
    await rename.getByLabel('Name').fill('Lin Z.')
    await rename.getByRole('button', { name: 'Rename' }).click()
    await poll(() => menuButton.innerText()).toContain('Lin Z.')

    // Delete… only once the name is typed; Kay's progress stays.
    await menuButton.click()
    await page.getByRole('menuitem', { name: 'Delete “Lin Z.”…' }).click()
    const remove = page.getByRole('dialog', { name: 'Delete the learner “Lin Z.”' })
    const yes = remove.getByRole('button', { name: 'Delete “Lin Z.”' })
    expect(await yes.isDisabled()).toBe(true)
    await remove.getByLabel('Type the name “Lin Z.” to confirm').fill('Lin Z.')
    await yes.click()
    await page.getByRole('heading', { level: 1, name: 'Welcome to Podnet Lab' }).waitFor()
    const { profiles } = await app.service.handlers['profiles:list']({})
    expect(profiles.map((p) => p.name)).toEqual(['Kay'])
    const kay = profiles[0]!.id
    const summary = await app.service.handlers['progress:summary']({ learnerId: kay })
    expect(summary.lessons.find((l) => l.lessonId === 'tour')?.step).toMatchObject({ n: 3, of: 9 })

    await page.locator('.profile-list').getByRole('button', { name: 'Kay' }).click()
    await poll(() => menuButton.innerText()).toContain('Kay')
    await page.context().close()
  })

  test('? opens the keyboard shortcuts outside fields and the terminal, Esc closes them and focus returns', async () => {
    const page = await openPage()
    await page.goto(`${app.host.url}#/lessons`)
    const firstLesson = page.locator('.lesson-list a').first()
    await firstLesson.focus()
    await page.keyboard.press('?')
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await sheet.waitFor()
    const text = await sheet.innerText()
    for (const expected of [
      'show this list',
      'play or pause the packet',
      'leave the terminal',
      'first or last tab'
    ])
      expect(text).toContain(expected)
    expect(text).toMatch(/F5\s*—?\s*[\s\S]*presenter mode on or off/)
    await expectAccessible(page, 'keyboard shortcuts')
    await page.keyboard.press('Escape')
    await poll(() => sheet.count()).toBe(0)
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(
      await firstLesson.innerText()
    )

    // Typed into the terminal, ? is a character of the command line.
    await firstLesson.click()
    await page.locator('.xterm-host .xterm-helper-textarea').focus()
    await page.keyboard.press('?')
    await page.waitForTimeout(300)
    expect(await page.locator('dialog[open]').count()).toBe(0)
    await page.context().close()
  })

  test('a glossary term in lesson text opens its entry, and Esc goes back to the text', async () => {
    const page = await openPage({ locale: 'en-US' })
    await page.goto(`${app.host.url}#/lessons/services-clusterip`)
    const term = page.locator('.prose button.glossary-term', { hasText: 'kube-proxy' }).first()
    await term.click()
    const sheet = page.getByRole('dialog', { name: 'Glossary' })
    await sheet.waitFor()
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('glossary-kube-proxy')
    expect(await sheet.locator('.entry.current dd').innerText()).toMatch(/implements Services/)
    await sheet.getByLabel('Find a term').fill('conntrack')
    await poll(() => sheet.locator('.entry dt').allInnerTexts()).toContain('conntrack (connection tracking)')
    await expectAccessible(page, 'glossary')
    // Lesson text is rendered anew while a sheet is open (the code highlighter arriving does it):
    // the term's button is then a new, identical element, and focus still finds its way back.
    await page.evaluate(() => {
      const opener = document.querySelector('.prose button.glossary-term[data-term="kube-proxy"]')
      opener?.replaceWith(opener.cloneNode(true))
    })
    // In the search field the first Esc empties it, as in any search field; the next one closes.
    await page.keyboard.press('Escape')
    await poll(() => sheet.getByLabel('Find a term').inputValue()).toBe('')
    await page.keyboard.press('Escape')
    await poll(() => sheet.count()).toBe(0)
    await poll(() =>
      page.evaluate(() =>
        document.activeElement?.matches('.prose button.glossary-term[data-term="kube-proxy"]')
      )
    ).toBe(true)
    await page.context().close()
  })
})
