import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { parse } from 'yaml'
import {
  courseIndexSchema,
  lessonSchema,
  type Lesson,
  type Question,
  type SolutionStep,
  type Step,
  type TraceSpec
} from '../../src-main/core/lesson/lesson.schema.ts'
import { repoRoot } from './harness.ts'

/** The course as lessons/index.yaml lists it, each lesson parsed with the same schema the app uses. */
export function courseLessons(): { folder: string; lesson: Lesson }[] {
  const lessonsDir = join(repoRoot, 'lessons')
  const index = courseIndexSchema.parse(parse(readFileSync(join(lessonsDir, 'index.yaml'), 'utf8')))
  return index.lessons.map((folder) => ({
    folder,
    lesson: lessonSchema.parse(parse(readFileSync(join(lessonsDir, folder, 'lesson.yaml'), 'utf8')))
  }))
}

/**
 * Completes a lesson through the English UI by mouse and typing, from its own answer keys: solutions
 * typed into the terminal or sent from the trace form, predictions answered, traces stepped to
 * every pinned question, quizzes answered. The first question that can be answered wrongly on
 * purpose (single, numeric, text) gets one wrong answer first.
 */
export class CourseDriver {
  #wrongAnswerGiven = false
  /** What the lesson's review step said was due (null without such a step). */
  reviewDue: number | null = null

  constructor(
    readonly page: Page,
    readonly lesson: Lesson
  ) {}

  get wrongAnswerGiven(): boolean {
    return this.#wrongAnswerGiven
  }

  stepTitle(): Promise<string> {
    return this.page.locator('#step-title').innerText()
  }

  async complete(): Promise<void> {
    await this.completeUntil(null)
    await poll(() => this.page.locator('.completion').innerText(), { timeout: 15_000 }).toMatch(
      /Lesson complete[\s\S]*\d+%/
    )
  }

  /**
   * From the step on screen (the first, in a lesson just opened), does every step before the next
   * one of `kind` (all of them for null) and stops on it.
   */
  async completeUntil(kind: Step['kind'] | null): Promise<void> {
    const titles = this.lesson.steps.map((s) => s.title.en)
    await poll(async () => titles.includes(await this.stepTitle()), { timeout: 15_000 }).toBe(true)
    const from = titles.indexOf(await this.stepTitle())
    for (const step of this.lesson.steps.slice(from)) {
      await poll(() => this.stepTitle(), { timeout: 15_000 }).toBe(step.title.en)
      if (step.kind === kind) return
      await this.doStep(step)
      await this.next()
    }
  }

  async next(): Promise<void> {
    const before = await this.stepTitle()
    const button = this.page
      .locator('.step-actions')
      .getByRole('button', { name: /^(Next|Finish the lesson)$/ })
    await poll(() => button.isEnabled(), { timeout: 15_000 }).toBe(true)
    await button.click()
    await poll(() => this.page.locator('#step-title, #completion-title').first().innerText()).not.toBe(before)
  }

  /** Does what the step asks (a solution, a prediction, answers), without moving on. */
  async doStep(step: Step): Promise<void> {
    switch (step.kind) {
      case 'read':
      case 'checkpoint':
        return
      case 'task':
        for (const solution of step.solution) await this.#solve(solution)
        await poll(() => this.page.locator('.task .status').innerText(), { timeout: 15_000 }).toMatch(/^Done/)
        return
      case 'predict':
        return this.#predict(step)
      case 'trace':
        return this.#trace(step)
      case 'quiz':
        for (const question of step.questions) await this.answer(question)
        return
      case 'review':
        return this.#review(step.max)
    }
  }

  /**
   * The review step offers the learner's due items, at most `max` of them; the driver opens the
   * session when something is due and leaves it unanswered (the step never blocks).
   */
  async #review(max: number): Promise<void> {
    const due = this.page.locator('.step-body .due, article .due').first()
    const text = await due.innerText()
    const n = text.startsWith('Nothing') ? 0 : Number(/^(\d+) items? due$/.exec(text)?.[1] ?? NaN)
    if (Number.isNaN(n)) throw new Error(`the review step says "${text}"`)
    this.reviewDue = n
    if (n === 0) return
    await this.page.getByRole('button', { name: 'Start reviewing' }).click()
    await poll(() => this.page.locator('form[data-question] .meta').first().innerText()).toMatch(
      new RegExp(`^Question 1 of ${Math.min(n, max)} · `)
    )
  }

  async #solve(solution: SolutionStep): Promise<void> {
    if ('run' in solution) await this.run(solution.on, solution.run)
    else await this.send(solution.trace)
  }

  terminalText(): Promise<string> {
    return this.page.locator('.xterm-host .xterm-rows').innerText()
  }

  /** Types a command into the target's shell and waits for the prompt to come back. */
  async run(on: string, command: string): Promise<void> {
    await this.page.getByRole('tab', { name: on, exact: true }).click()
    await poll(() => this.page.locator('.xterm-host').getAttribute('data-target')).toBe(on)
    await this.page.locator('.xterm-host .xterm-helper-textarea').focus()
    await this.page.keyboard.type(command)
    // Long lines wrap across rows; compare without the wrapping.
    await poll(async () => squeeze(await this.terminalText())).toContain(squeeze(command))
    await this.page.keyboard.press('Enter')
    // The shell is done when its last line is a bare prompt again.
    await poll(async () => lastLine(await this.terminalText()), { timeout: 15_000 }).toMatch(/(:[~/]#|\/ #)$/)
  }

  /** Sends a packet from the stepper's form, as the learner would. */
  async send(trace: TraceSpec): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Send a packet' })
    await form.getByLabel('From').selectOption(trace.from)
    await form.getByLabel('To', { exact: true }).fill(trace.to)
    await form.getByLabel('Protocol').selectOption(trace.protocol)
    if (trace.protocol !== 'icmp' && trace.port) await form.getByLabel('Port').fill(String(trace.port))
    await form.getByRole('button', { name: 'Send', exact: true }).click()
    await this.#traceOnStepper(trace)
  }

  async #traceOnStepper(trace: TraceSpec): Promise<void> {
    await poll(() => this.page.locator('.stepper .outcome').innerText(), { timeout: 15_000 }).toContain(
      `${trace.from} → ${/^\d/.test(trace.to) ? trace.to : ''}`
    )
  }

  async #predict(step: Extract<Step, { kind: 'predict' }>): Promise<void> {
    const answer = step.prediction.answer
    const panel = this.page.locator('.predict')
    const radio = panel.locator(`input[type="radio"][name="prediction"][value="${String(answer)}"]`)
    if ((await panel.locator('input[type="radio"][name="prediction"]').count()) > 0) await radio.check()
    else await panel.getByLabel('Your guess').fill(String(answer))
    const reason = step.justification?.options.find((option) => option.correct)
    if (reason) await panel.locator(`input[type="radio"][name="justification"][value="${reason.id}"]`).check()
    await panel.getByRole('button', { name: 'Lock in and run the trace' }).click()
    await poll(() => panel.locator('.reveal').innerText(), { timeout: 15_000 }).toMatch(/You predicted it/)
  }

  /** Steps the trace forward (→ on the stepper) until each pinned question has opened, answering as they do. */
  async #trace(step: Extract<Step, { kind: 'trace' }>): Promise<void> {
    await this.#traceOnStepper(step.trace)
    const position = this.page.locator('.stepper .position')
    await poll(() => position.innerText()).toMatch(/^Hop 1 of \d+$/)
    const total = Number((await position.innerText()).match(/of (\d+)/)?.[1])
    for (const { question } of step.questions) {
      const form = this.question(question.id)
      for (let hop = 1; hop <= total && (await form.count()) === 0; hop++) {
        await this.page.locator('.stepper .controls').focus()
        await this.page.keyboard.press('ArrowRight')
      }
      if ((await form.count()) !== 1)
        throw new Error(`question ${question.id} did not open while stepping the trace`)
      await this.answer(question)
    }
    // Stepping back works too, and the hop inspector always shows the hop on the stepper.
    await this.page.keyboard.press('ArrowLeft')
    await poll(() => this.page.locator('.hop-inspector').count()).toBe(1)
  }

  question(id: string): ReturnType<Page['locator']> {
    return this.page.locator(`form.question[data-question="${id}"]`)
  }

  async answer(question: Question): Promise<void> {
    const form = this.question(question.id)
    const wrongFirst = !this.#wrongAnswerGiven && question.attempts > 1 && wrongAnswer(question) !== null
    if (wrongFirst) {
      await this.#fill(question, wrongAnswer(question)!)
      await form.getByRole('button', { name: 'Check answer' }).click()
      await poll(() => form.locator('.grading').innerText()).toMatch(/^Not quite/)
      this.#wrongAnswerGiven = true
    }
    await this.#fill(question, rightAnswer(question))
    await form.getByRole('button', { name: 'Check answer' }).click()
    await poll(() => form.locator('.grading').innerText()).toMatch(/^Correct/)
  }

  async #fill(question: Question, answer: string | string[]): Promise<void> {
    const form = this.question(question.id)
    switch (question.kind) {
      case 'single':
        await form.locator(`input[type="radio"][value="${answer as string}"]`).check()
        return
      case 'multiple':
        for (const option of question.options) {
          const box = form.locator(`input[type="checkbox"][value="${option.id}"]`)
          const wanted = (answer as string[]).includes(option.id)
          await box.setChecked(wanted)
          await poll(() => box.isChecked()).toBe(wanted)
        }
        return
      case 'ordering':
        for (const [target, id] of (answer as string[]).entries()) {
          const ids = await form
            .locator('.ordering li button[id$="-up"]')
            .evaluateAll((buttons) => buttons.map((b) => b.id))
          for (let at = ids.indexOf(`q-${question.id}-item-${id}-up`); at > target; at--)
            await form.locator(`#q-${question.id}-item-${id}-up`).click()
        }
        return
      case 'numeric':
      case 'text':
        await form.getByLabel('Your answer').fill(answer as string)
        return
      case 'hotspot':
        // The list offers everything the topology can pick (picking in the drawing has its own tests).
        await form.getByLabel('Your answer').selectOption(answer as string)
        return
    }
  }
}

function rightAnswer(question: Question): string | string[] {
  switch (question.kind) {
    case 'single':
      return question.options.find((o) => o.correct)!.id
    case 'multiple':
      return question.options.filter((o) => o.correct).map((o) => o.id)
    case 'ordering':
      return question.items.map((i) => i.id)
    case 'numeric':
      return String(question.answer)
    case 'text':
      return question.modelAnswer
    case 'hotspot':
      return question.answer[0]!
  }
}

/** An answer the key marks wrong, for the kinds where one is unambiguous. */
function wrongAnswer(question: Question): string | null {
  switch (question.kind) {
    case 'single':
      return question.options.find((o) => !o.correct)?.id ?? null
    case 'numeric':
      return String(question.answer + question.tolerance + 1000)
    case 'text':
      return 'definitely-not-the-answer'
    default:
      return null
  }
}

function squeeze(text: string): string {
  return text.replace(/\s+/g, '')
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trimEnd())
      .filter((line) => line !== '')
      .at(-1) ?? ''
  )
}

/**
 * Retries `get` until its value passes, like vitest's expect.poll, but usable outside a test too
 * (scripts/screenshots.ts drives lessons with this class).
 */
function poll<T>(get: () => Promise<T> | T, { timeout = 10_000 }: { timeout?: number } = {}) {
  const wait = async (ok: (value: T) => boolean, what: string): Promise<void> => {
    const end = Date.now() + timeout
    let last: T | undefined
    let failure: unknown
    for (;;) {
      try {
        last = await get()
        if (ok(last)) return
      } catch (error) {
        failure = error
      }
      if (Date.now() > end) {
        const cause = failure instanceof Error ? `; last error: ${failure.message}` : ''
        throw new Error(
          `timed out after ${timeout} ms waiting for a value to ${what}; last value: ${JSON.stringify(last)}${cause}`
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return {
    toBe: (expected: T) => wait((v) => v === expected, `be ${JSON.stringify(expected)}`),
    toMatch: (pattern: RegExp) => wait((v) => pattern.test(String(v)), `match ${String(pattern)}`),
    toContain: (part: string) => wait((v) => String(v).includes(part), `contain ${JSON.stringify(part)}`),
    not: { toBe: (other: T) => wait((v) => v !== other, `differ from ${JSON.stringify(other)}`) }
  }
}
