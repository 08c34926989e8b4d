// The instructor's class dashboard as `npm run screenshots` pictures it: a class host with eight
// learners spread over the tour (finished, mid-lesson, stuck on commands and on answers, not
// started, gone), at 1280×800 in both languages.
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { questionsOf } from '../src-main/core/lesson/lesson.machine.ts'
import { correctAnswer } from '../src-main/core/lesson/quiz.ts'
import { startHost, tempDir } from '../test/e2e/harness.ts'
import { learnerCall, loadLesson, ok, playLesson, type Joined } from '../test/classroom/classroom-host.ts'

export async function dashboardScreenshots(browser: Browser, outDir: string): Promise<string[]> {
  const data = tempDir('podnet-screenshots-class-')
  const running = await startHost(data.path, { classroom: true })
  const { origin } = running.host
  const token = running.host.token
  try {
    const { classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: 'Room 4, Thursday' },
      token
    )
    const seat = (name: string): Promise<Joined> => ok<Joined>(origin, 'class:join', { code: joinCode, name })
    const tour = loadLesson('tour')
    const lessonId = tour.lesson.id
    /** Plays the tour up to (not into) step `until`, every answer right. */
    const upTo = async (joined: Joined, until: string): Promise<void> => {
      const act = learnerCall(origin, joined)
      await act('lesson:open', { lessonId })
      for (const step of tour.lesson.steps) {
        if (step.id === until) return
        if (step.kind === 'task')
          for (const s of step.solution)
            if ('run' in s) await act('shell:exec', { lessonId, on: s.on, line: s.run })
            else await act('trace:run', { lessonId, trace: s.trace })
        if (step.kind === 'predict')
          await act('lesson:send', {
            lessonId,
            event: { type: 'user.predict', value: step.prediction.answer }
          })
        for (const question of questionsOf(step))
          await act('quiz:submit', { lessonId, questionId: question.id, answer: correctAnswer(question) })
        await act('lesson:send', { lessonId, event: { type: 'user.next' } })
      }
    }

    await playLesson(learnerCall(origin, await seat('Ana')), tour, (id) =>
      id === 'outer-source' ? { kind: 'text', text: '10.244.1.2' } : null
    )
    await playLesson(learnerCall(origin, await seat('Bo')), tour)
    const chen = await seat('陈伟')
    await upTo(chen, 'quiz')
    for (const answer of [
      { kind: 'single', option: 'flannel' },
      { kind: 'single', option: 'node' },
      { kind: 'multiple', options: ['per-pod-arp', 'veth'] }
    ])
      await learnerCall(origin, chen)('quiz:submit', {
        lessonId,
        questionId: answer.kind === 'single' ? 'pod-gateway' : 'flannel-programs',
        answer
      })
    const dana = await seat('Dana')
    await upTo(dana, 'look-around')
    for (const line of ['ip a show eth1', 'ping -c1 10.244.9.9', 'ip addr show nosuch0'])
      await learnerCall(origin, dana)('shell:exec', { lessonId, on: 'client', line })
    await upTo(await seat('Eli'), 'predict-ttl')
    await upTo(await seat('Fatima'), 'follow-the-packet')
    await seat('Gus')
    const hana = await seat('Hana')
    await upTo(hana, 'look-around')
    await ok(origin, 'class:leave', {}, hana.learnerToken)

    const written: string[] = []
    for (const locale of ['en', 'zh-CN'] as const) {
      const context = await browser.newContext({
        colorScheme: 'light',
        locale,
        viewport: { width: 1280, height: 800 }
      })
      const page = await context.newPage()
      await page.goto(`${running.host.url}#/classroom/${classId}`)
      await page.locator('[data-feed="live"]').waitFor()
      await page.locator('tr[data-learner="Dana"] td[data-col="lesson"]', { hasText: /Podnet Lab/ }).waitFor()
      await page.waitForLoadState('networkidle')
      const name = `dashboard-${locale}-light.png`
      await page.screenshot({ path: join(outDir, name) })
      written.push(name)
      await context.close()
    }
    return written
  } finally {
    await running.stop()
    data.remove()
  }
}
