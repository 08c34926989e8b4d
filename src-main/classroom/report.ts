import type { QuestionStats } from '../api/classroom-contract.ts'
import type { ClassMember, ClassReportRow, ProgressStore, XapiStatement } from '../store/index.ts'

const REPORT_HEADER = [
  'learner_name',
  'learner_id',
  'lesson_id',
  'status',
  'score',
  'passed',
  'time_spent_s',
  'hints_used',
  'started_at',
  'completed_at'
]

const DIFFICULTY_HEADER = ['lesson_id', 'question_id', 'kind', 'learners_answered', 'first_attempt_correct']

/**
 * The class report, RFC 4180 like the learner export: one row per member × lesson, members by name,
 * lessons in class order (the class's lessons, else the course's) followed by any other lesson a
 * member started. A lesson never opened reads `not-started` with empty figures.
 */
export function classReportCsv(
  members: readonly ClassMember[],
  rows: readonly ClassReportRow[],
  lessonOrder: readonly string[]
): string {
  const byMember = new Map<string, Map<string, ClassReportRow>>()
  for (const row of rows) {
    const lessons = byMember.get(row.learnerId) ?? new Map<string, ClassReportRow>()
    lessons.set(row.lessonId, row)
    byMember.set(row.learnerId, lessons)
  }
  const sorted = [...members].sort(
    (a, b) =>
      a.displayName.localeCompare(b.displayName, 'en', { sensitivity: 'base' }) ||
      (a.learnerId < b.learnerId ? -1 : 1)
  )
  const lines = [REPORT_HEADER]
  for (const member of sorted) {
    const started = byMember.get(member.learnerId) ?? new Map<string, ClassReportRow>()
    const extra = [...started.keys()].filter((id) => !lessonOrder.includes(id)).sort()
    for (const lessonId of [...lessonOrder, ...extra]) {
      const r = started.get(lessonId)
      lines.push([
        neutraliseFormula(member.displayName),
        member.learnerId,
        lessonId,
        r?.status ?? 'not-started',
        r?.score === null || r === undefined ? '' : String(r.score),
        r?.passed === null || r === undefined ? '' : String(r.passed),
        r === undefined ? '' : String(Math.round(r.timeSpentMs / 1000)),
        r === undefined ? '0' : String(r.hints),
        r === undefined ? '' : new Date(r.startedAt).toISOString(),
        r === undefined || r.completedAt === null ? '' : new Date(r.completedAt).toISOString()
      ])
    }
  }
  return toCsv(lines)
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

/**
 * Every member's statements from the store's own xAPI export, with the actor named as the learner
 * typed it in class (the profile name carries a class suffix), oldest first.
 */
export function classXapi(
  store: ProgressStore,
  members: readonly ClassMember[],
  iriBase?: string
): XapiStatement[] {
  const statements: XapiStatement[] = []
  for (const member of members) {
    for (const s of store.exportXapi(member.learnerId, iriBase === undefined ? {} : { iriBase })) {
      statements.push({ ...s, actor: { ...s.actor, name: member.displayName } })
    }
  }
  return statements.sort((x, y) =>
    x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : x.id < y.id ? -1 : 1
  )
}

function toCsv(lines: readonly string[][]): string {
  return lines.map((fields) => fields.map(csvField).join(',') + '\r\n').join('')
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** Learners type their names; `=…` would run as a spreadsheet formula (OWASP CSV injection). */
function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}
