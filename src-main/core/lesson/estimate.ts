import type { Lesson, Locale, Localized, SolutionStep, Step } from './lesson.schema.ts'
import { LOCALES } from './lesson.schema.ts'
import { questionsOf } from './lesson.machine.ts'
import type { ProseSections } from './markdown-sections.ts'

/**
 * How long a lesson takes, estimated from its content instead of written by hand: a hand-written
 * figure is a guess that does not follow the lesson when it is edited. Reading time depends on
 * the language, so every locale gets its own figure.
 */

/**
 * The model's constants. Reading: 200 words a minute, below the 238 that Brysbaert (2019, "How
 * many words do we read per minute?", Journal of Memory and Language 109) finds for silent
 * reading of English non-fiction, since lesson text is dense with addresses and commands.
 * Chinese is counted in characters, at 400 a minute: the course's Chinese prose has about 1.7
 * characters per English word, so at that rate both languages of a lesson take about as long
 * (the lesson tests keep them within a fifth of each other). Typing and pointing: the
 * Keystroke-Level Model (Card, Moran and Newell, "The Psychology of Human-Computer Interaction",
 * 1983): 0.28 s a keystroke for an average typist, 1.1 s to point, 0.1 s to click, 1.35 s to
 * prepare mentally. The thinking time per question, prediction, task and trace is a judgement
 * with nothing measured behind it yet: the course run through the UI
 * (test/e2e/course-completes-every-lesson.e2e.test.ts) only shows that the app's own share of
 * each action (running a command or a trace, grading an answer) is well under a second, so what
 * a learner takes is reading and thinking.
 */
export const ESTIMATE = {
  englishWordsPerMinute: 200,
  chineseCharactersPerMinute: 400,
  keystrokeSeconds: 0.28,
  pointSeconds: 1.1,
  clickSeconds: 0.1,
  prepareSeconds: 1.35,
  /** Glancing over what a command printed or where a packet went. */
  readOutputSeconds: 5,
  /** Deciding and submitting one answer; its prompt, options and explanation count as reading. */
  questionSeconds: 15,
  /** Deciding a prediction, locking it in and comparing with the reveal. */
  predictionSeconds: 20,
  /** Working out what a task asks and where, beyond typing its solution. */
  taskSeconds: 30,
  /** Stepping a trace's hops on the stepper and looking at the inspector. */
  traceSeconds: 30
} as const

const HAN = /\p{Script=Han}/gu
/** A run of letters or digits, with the joiners of addresses, paths and contractions inside it. */
const WORD = /[\p{L}\p{N}]+(?:['’./:_-][\p{L}\p{N}]+)*/gu

/** Seconds to read a text: Han characters at the Chinese rate, every other word at the English one. */
export function readingSeconds(text: string): number {
  const han = text.match(HAN)?.length ?? 0
  const words = text.replace(HAN, ' ').match(WORD)?.length ?? 0
  return (han / ESTIMATE.chineseCharactersPerMinute + words / ESTIMATE.englishWordsPerMinute) * 60
}

/** Seconds to carry out one solution step: pick the shell and type the command, or fill the packet form. */
export function solutionSeconds(solution: SolutionStep): number {
  const { keystrokeSeconds: k, pointSeconds, clickSeconds, prepareSeconds, readOutputSeconds } = ESTIMATE
  const pick = pointSeconds + clickSeconds
  if ('run' in solution) return prepareSeconds + pick + k * (solution.run.length + 1) + readOutputSeconds
  // From, to, protocol and Send: four picks, and the destination typed.
  return prepareSeconds + 4 * pick + k * solution.trace.to.length + readOutputSeconds
}

/** Seconds of a step's work beyond reading it. */
export function activitySeconds(step: Step): number {
  const questions = questionsOf(step).length * ESTIMATE.questionSeconds
  switch (step.kind) {
    case 'task':
      return ESTIMATE.taskSeconds + step.solution.reduce((sum, s) => sum + solutionSeconds(s), 0)
    case 'predict':
      return ESTIMATE.predictionSeconds
    case 'trace':
      return ESTIMATE.traceSeconds + questions
    case 'quiz':
      return questions
    case 'read':
    case 'checkpoint':
    case 'review':
      return 0
  }
}

/** What a learner reads of a step in one locale, besides its prose: title, questions, explanations. */
function stepTexts(step: Step): Localized[] {
  const texts: Localized[] = [step.title]
  for (const question of questionsOf(step)) {
    texts.push(question.prompt, question.explanation)
    if (question.kind === 'single' || question.kind === 'multiple')
      texts.push(...question.options.map((o) => o.text))
    if (question.kind === 'ordering') texts.push(...question.items.map((i) => i.text))
  }
  if (step.kind === 'predict') {
    texts.push(step.explanation)
    if (step.justification) texts.push(...step.justification.options.map((o) => o.text))
  }
  return texts
}

/** Whole minutes, at least one, per locale. */
export type LessonMinutes = Record<Locale, number>

/**
 * The estimated minutes to complete a lesson, per locale: its steps' prose and texts at reading
 * speed, plus the work each step asks for. Hints, feedback on wrong answers and the prose's
 * introduction are left out: a learner does not necessarily see them.
 */
export function estimateMinutes(lesson: Lesson, prose: Record<Locale, ProseSections>): LessonMinutes {
  const activity = lesson.steps.reduce((sum, step) => sum + activitySeconds(step), 0)
  const minutes = (locale: Locale): number => {
    const reading = lesson.steps.reduce(
      (sum, step) =>
        sum +
        readingSeconds(prose[locale].sections[step.id] ?? '') +
        stepTexts(step).reduce((s, text) => s + readingSeconds(text[locale]), 0),
      0
    )
    return Math.max(1, Math.round((reading + activity) / 60))
  }
  return Object.fromEntries(LOCALES.map((locale) => [locale, minutes(locale)])) as LessonMinutes
}
