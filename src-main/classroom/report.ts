import type { QuestionStats } from '../api/classroom-contract.ts'
import { maxScoreOf } from '../core/lesson/lesson.machine.ts'
import type { Lesson } from '../core/lesson/lesson.schema.ts'
import type { ClassMember, ClassReportRow } from '../store/index.ts'

const REPORT_HEADER = [
  'class_name',
  'class_date',
  'learner_name',
  'student_id',
  'learner_id',
  'lesson_id',
  'lesson_title',
  'status',
  'points',
  'max_points',
  'percent',
  'pass_mark_percent',
  'passed',
  'failed_attempts',
  'solutions_viewed',
  'hints_used',
  'time_spent_s',
  'started_at',
  'completed_at'
]

const DIFFICULTY_HEADER = ['lesson_id', 'question_id', 'kind', 'learners_answered', 'first_attempt_correct']

/** A lesson of the class as the report names and grades it; null when it left the course. */
export interface ReportLesson {
  id: string
  definition: Lesson | null
}

export interface ClassReportInput {
  className: string
  /** When the class started, as the host's clock read it. */
  classStartedAt: number
  members: readonly ClassMember[]
  rows: readonly ClassReportRow[]
  /** Every lesson of the class, in course order. */
  lessons: readonly ReportLesson[]
}

/**
 * The class report, RFC 4180 like the learner export, with a byte-order mark so that Excel on any
 * Windows locale reads it as UTF-8 (without one it guesses the ANSI code page and mangles every
 * name outside it). One row per member × lesson, members by name, the class's lessons in course
 * order followed by any other lesson a member started. A lesson never opened reads `not-started`
 * with empty figures.
 */
export function classReportCsv(input: ClassReportInput): string {
  const byMember = new Map<string, Map<string, ClassReportRow>>()
  for (const row of input.rows) {
    const lessons = byMember.get(row.learnerId) ?? new Map<string, ClassReportRow>()
    lessons.set(row.lessonId, row)
    byMember.set(row.learnerId, lessons)
  }
  const sorted = [...input.members].sort(
    (a, b) =>
      a.displayName.localeCompare(b.displayName, 'en', { sensitivity: 'base' }) ||
      (a.learnerId < b.learnerId ? -1 : 1)
  )
  const known = new Map(input.lessons.map((l) => [l.id, l.definition]))
  const classDate = localDate(input.classStartedAt)
  const lines = [REPORT_HEADER]
  for (const member of sorted) {
    const started = byMember.get(member.learnerId) ?? new Map<string, ClassReportRow>()
    const extra = [...started.keys()].filter((id) => !known.has(id)).sort()
    for (const lessonId of [...input.lessons.map((l) => l.id), ...extra]) {
      const r = started.get(lessonId)
      const definition = known.get(lessonId) ?? null
      const maxPoints = definition === null ? null : maxScoreOf(definition)
      const graded = r !== undefined && r.score !== null
      lines.push([
        neutraliseFormula(input.className),
        classDate,
        neutraliseFormula(member.displayName),
        neutraliseFormula(member.studentId),
        member.learnerId,
        lessonId,
        definition === null ? '' : neutraliseFormula(definition.title.en),
        r?.status ?? 'not-started',
        graded && maxPoints !== null ? decimal(r.score! * maxPoints) : '',
        maxPoints === null ? '' : decimal(maxPoints),
        graded ? decimal(r.score! * 100) : '',
        definition === null ? '' : decimal(definition.passScore * 100),
        r?.passed === null || r === undefined ? '' : String(r.passed),
        String(r?.failedAttempts ?? 0),
        String(r?.solutionsViewed ?? 0),
        String(r?.hints ?? 0),
        r === undefined ? '0' : String(Math.round(r.timeSpentMs / 1000)),
        r === undefined ? '' : new Date(r.startedAt).toISOString(),
        r === undefined || r.completedAt === null ? '' : new Date(r.completedAt).toISOString()
      ])
    }
  }
  return toCsv(lines)
}

/** Two decimals at most, no trailing zeros: 6.666… → `6.67`, 70 → `70`. */
function decimal(value: number): string {
  return String(Math.round(value * 100) / 100)
}

/** `YYYY-MM-DD` on the host's calendar: the day the instructor ran the class, wherever UTC was. */
function localDate(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** Per question: how many learners answered and the share right on their first attempt. */
export function difficultyCsv(questions: readonly QuestionStats[]): string {
  const lines = [DIFFICULTY_HEADER]
  for (const q of questions) {
    lines.push([
      q.lessonId,
      q.questionId,
      q.kind,
      String(q.answered),
      q.firstAttemptCorrect === null ? '' : q.firstAttemptCorrect.toFixed(3)
    ])
  }
  return toCsv(lines)
}

const UTF8_BOM = '\uFEFF'

/** Both class CSVs open in spreadsheets, so both carry the UTF-8 byte-order mark. */
function toCsv(lines: readonly string[][]): string {
  return UTF8_BOM + lines.map((fields) => fields.map(csvField).join(',') + '\r\n').join('')
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** Learners type their names; `=…` would run as a spreadsheet formula (OWASP CSV injection). */
function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}
