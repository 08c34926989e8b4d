import type { StoreContext } from './context.ts'

const HEADER = [
  'learner_id',
  'learner_name',
  'lesson_id',
  'step_id',
  'question_id',
  'kind',
  'attempt',
  'answer',
  'correct',
  'score',
  'hints_used',
  'duration_ms',
  'answered_at'
]

interface CsvRow {
  learner_id: string
  learner_name: string
  lesson_id: string
  step_id: string
  question_id: string
  kind: string
  attempt_no: number
  answer_json: string
  correct: number
  score: number
  hints_used: number
  duration_ms: number
  at: number
}

/** Quiz attempts as CSV for instructors' spreadsheets. */
export class AttemptsCsv {
  readonly #ctx: StoreContext
  readonly #one
  readonly #all

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    const select = `SELECT a.learner_id, l.name AS learner_name, a.lesson_id, a.step_id, a.question_id,
        a.kind, a.attempt_no, a.answer_json, a.correct, a.score, a.hints_used, a.duration_ms, a.at
      FROM quiz_attempts a JOIN learners l ON l.id = a.learner_id`
    const order = 'ORDER BY l.name COLLATE NOCASE, a.learner_id, a.at, a.id'
    this.#one = ctx.db.prepare<[string], CsvRow>(`${select} WHERE a.learner_id = ? ${order}`)
    this.#all = ctx.db.prepare<[], CsvRow>(`${select} ${order}`)
  }

  /**
   * RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, quote, CR or LF,
   * with quotes doubled. `answer` is the answer's JSON; `answered_at` is ISO 8601 UTC.
   * Every learner when `learnerId` is omitted (the class export).
   */
  export(learnerId?: string): string {
    const rows = this.#ctx.read('export attempts', () =>
      learnerId === undefined ? this.#all.all() : this.#one.all(learnerId)
    )
    const lines = [HEADER.map(csvField)]
    for (const r of rows) {
      lines.push(
        [
          r.learner_id,
          neutraliseFormula(r.learner_name),
          r.lesson_id,
          r.step_id,
          r.question_id,
          r.kind,
          String(r.attempt_no),
          r.answer_json,
          r.correct === 1 ? 'true' : 'false',
          String(r.score),
          String(r.hints_used),
          String(r.duration_ms),
          new Date(r.at).toISOString()
        ].map(csvField)
      )
    }
    return lines.map((fields) => fields.join(',') + '\r\n').join('')
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/**
 * Learners type their own profile names; a name like `=HYPERLINK(…)` would run as a formula when
 * an instructor opens the file in a spreadsheet, so such names get a leading apostrophe (OWASP).
 */
function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}
