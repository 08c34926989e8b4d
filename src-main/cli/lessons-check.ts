import { lessonFilesFromDir } from '../api/lesson-files.ts'
import { watch } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { checkCourse, summaryLine } from '../core/lesson/check-course.ts'
import { formatIssue } from '../core/lesson/issues.ts'
import { openLessonLab } from '../core/lesson/lab-adapter.ts'
import { parseCli } from './args.ts'
import type { CliIo } from './io.ts'

export const LESSONS_USAGE = `usage: podnet lessons check [DIR]
       podnet lessons dev [DIR]
  check: validates the course in DIR (default: lessons): the lesson format, both locales, the
  scenarios, every task (fails before its solution, rejects its wrong attempt, passes after
  the solution), every prediction against the simulator, and an auto-solve of each lesson that
  must reach the end with full marks.
  Problems are printed as "file: path: reason"; the exit status is 1 if there is any.
  dev: checks, then checks again after every save in DIR, until interrupted (Ctrl-C).
`

/** `podnet lessons check [DIR]` and `podnet lessons dev [DIR]`. */
export async function lessonsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [action, ...rest] = argv
  const p = parseCli(rest, { help: { type: 'boolean', short: 'h' } })
  if (action === '--help' || action === '-h' || (p.ok && p.values.help)) {
    io.stdout(LESSONS_USAGE)
    return 0
  }
  if (action !== 'check' && action !== 'dev') {
    io.stderr(
      `podnet lessons: ${action === undefined ? 'missing ACTION' : `unknown action '${action}'`}\n${LESSONS_USAGE}`
    )
    return 2
  }
  if (!p.ok || p.positionals.length > 1) {
    io.stderr(
      `podnet lessons ${action}: ${p.ok ? `unexpected argument '${p.positionals[1] ?? ''}'` : p.message}\n${LESSONS_USAGE}`
    )
    return 2
  }
  const dir = p.positionals[0] ?? 'lessons'
  if (action === 'check') return checkOnce(dir, io)
  const stop = new AbortController()
  process.once('SIGINT', () => stop.abort())
  await watchCourse(dir, io, stop.signal)
  return 0
}

function checkOnce(dir: string, io: CliIo): number {
  const result = checkCourse(lessonFilesFromDir(dir), {
    openLab: openLessonLab,
    now: () => performance.now()
  })
  // Paths as the author's editor and terminal resolve them: relative to where the check ran.
  io.stderr(
    result.issues.map((issue) => `${formatIssue({ ...issue, file: join(dir, issue.file) })}\n`).join('')
  )
  io.stdout(result.lessons.map((lesson) => `${summaryLine(lesson)}\n`).join(''))
  return result.ok ? 0 : 1
}

/**
 * The authoring loop: check, then check again after each burst of saves (editors write a file in
 * several steps, so changes are collected for a moment first), until `signal` aborts.
 */
export function watchCourse(dir: string, io: CliIo, signal: AbortSignal, settleMs = 150): Promise<void> {
  checkOnce(dir, io)
  return new Promise((resolve) => {
    let pending: ReturnType<typeof setTimeout> | undefined
    const watcher = watch(dir, { recursive: true, signal }, () => {
      clearTimeout(pending)
      pending = setTimeout(() => {
        io.stdout(`\n--- ${new Date().toLocaleTimeString()}: changes in ${dir}\n`)
        checkOnce(dir, io)
      }, settleMs)
    })
    watcher.on('close', () => {
      clearTimeout(pending)
      resolve()
    })
  })
}
