import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { checkCourse, summaryLine } from '../core/lesson/check-course.ts'
import type { LessonFiles } from '../core/lesson/course-loader.ts'
import { formatIssue } from '../core/lesson/issues.ts'
import { openLessonLab } from '../core/lesson/lab-adapter.ts'
import { parseCli } from './args.ts'
import type { CliIo } from './io.ts'

export const LESSONS_USAGE = `usage: podnet lessons check [DIR]
  Validates the course in DIR (default: lessons): the lesson format, both locales, the
  scenarios, every task (fails before its solution, passes after), every prediction against
  the simulator, reachability of the end, and an auto-solve of each lesson.
  Problems are printed as "file: path: reason"; the exit status is 1 if there is any.
`

/** The loader's file access over the real file system, rooted at a lessons folder. */
export function fsLessonFiles(root: string): LessonFiles {
  return {
    listDir(dir) {
      try {
        const path = join(root, dir)
        return statSync(path).isDirectory() ? readdirSync(path).sort() : undefined
      } catch {
        return undefined
      }
    },
    readText(path) {
      try {
        return readFileSync(join(root, path), 'utf8')
      } catch {
        return undefined
      }
    }
  }
}

/** `podnet lessons check [DIR]`. */
export function lessonsCommand(argv: readonly string[], io: CliIo): number {
  const [action, ...rest] = argv
  const p = parseCli(rest, { help: { type: 'boolean', short: 'h' } })
  if (action === '--help' || action === '-h' || (p.ok && p.values.help)) {
    io.stdout(LESSONS_USAGE)
    return 0
  }
  if (action !== 'check') {
    io.stderr(`podnet lessons: ${action === undefined ? 'missing ACTION' : `unknown action '${action}'`}\n${LESSONS_USAGE}`)
    return 2
  }
  if (!p.ok || p.positionals.length > 1) {
    io.stderr(`podnet lessons check: ${p.ok ? `unexpected argument '${p.positionals[1] ?? ''}'` : p.message}\n${LESSONS_USAGE}`)
    return 2
  }
  const dir = p.positionals[0] ?? 'lessons'
  const result = checkCourse(fsLessonFiles(dir), { openLab: openLessonLab, now: () => performance.now() })
  // Paths as the author's editor and terminal resolve them: relative to where the check ran.
  io.stderr(result.issues.map((issue) => `${formatIssue({ ...issue, file: join(dir, issue.file) })}\n`).join(''))
  io.stdout(result.lessons.map((lesson) => `${summaryLine(lesson)}\n`).join(''))
  return result.ok ? 0 : 1
}
