import { performance } from 'node:perf_hooks'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { lessonsCommand, watchCourse } from '../../src-main/cli/lessons-check.ts'
import { lessonFilesFromDir as fsLessonFiles } from '../../src-main/api/lesson-files.ts'
import { checkCourse, summaryLine } from '../../src-main/core/lesson/check-course.ts'
import { formatIssue } from '../../src-main/core/lesson/issues.ts'
import { openLessonLab } from '../../src-main/core/lesson/lab-adapter.ts'
import { LESSONS_DIR } from './tour-lesson.ts'

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await lessonsCommand(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) })
  return { code, stdout, stderr }
}

describe('podnet lessons check on the repository', () => {
  it('every lesson passes: schema, locales, tasks, predictions, reachability, auto-solve', () => {
    const result = checkCourse(fsLessonFiles(LESSONS_DIR), {
      openLab: openLessonLab,
      now: () => performance.now()
    })
    expect(result.issues.map(formatIssue)).toEqual([])
    expect(result.ok).toBe(true)
    const tour = result.lessons.find((l) => l.dir === '00-tour')
    expect(tour).toMatchObject({ ok: true, steps: 9, questions: 7 })
    expect(summaryLine(tour as NonNullable<typeof tour>)).toMatch(
      /^00-tour: 9 steps, 7 questions, \d+ min en, \d+ min zh-CN, solved in \d+ ms$/
    )
  })

  it('the CLI exits 0 and prints one summary line per lesson', async () => {
    const { code, stdout, stderr } = await run(['check', LESSONS_DIR])
    expect(stderr).toBe('')
    const folders = [
      ...readFileSync(join(LESSONS_DIR, 'index.yaml'), 'utf8').matchAll(/^ {2}- (\S+)$/gm)
    ].map((match) => match[1])
    const lines = stdout.split('\n').filter(Boolean)
    expect(lines.map((line) => line.slice(0, line.indexOf(':')))).toEqual(folders)
    for (const line of lines)
      expect(line).toMatch(/^[\w-]+: \d+ steps, \d+ questions, \d+ min en, \d+ min zh-CN, solved in \d+ ms$/)
    expect(lines[0]).toMatch(/^00-tour: 9 steps, 7 questions, /)
    expect(code).toBe(0)
  })
})

describe('podnet lessons check on broken content', () => {
  const fixture = new URL('../fixtures/lessons-bad/prediction-contradicted', import.meta.url).pathname

  it('exits 1 with file: path: reason lines, paths relative to where it ran', async () => {
    const { code, stdout, stderr } = await run(['check', fixture])
    expect(code).toBe(1)
    expect(stderr).toBe(
      `${fixture}/01-mini/lesson.yaml: steps[1].prediction.answer: the simulator says "62", not "63"\n`
    )
    expect(stdout).toBe('01-mini: 6 steps, 3 questions, FAILED\n')
  })

  it('a lesson the loader rejects is summarised as invalid', async () => {
    const { code, stdout } = await run([
      'check',
      new URL('../fixtures/lessons-bad/missing-field', import.meta.url).pathname
    ])
    expect(code).toBe(1)
    expect(stdout).toBe('01-mini: invalid\n')
  })

  it('usage errors exit 2', async () => {
    expect((await run([])).code).toBe(2)
    expect((await run(['lint'])).stderr).toContain("unknown action 'lint'")
    expect((await run(['check', 'a', 'b'])).code).toBe(2)
    expect(await run(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('usage: podnet lessons check [DIR]')
    })
  })
})

describe('podnet lessons dev', () => {
  it('checks again after a save and stops when aborted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podnet-lessons-dev-'))
    cpSync(new URL('../fixtures/lessons-bad/prediction-contradicted', import.meta.url).pathname, dir, {
      recursive: true
    })
    let stdout = ''
    let stderr = ''
    const stop = new AbortController()
    const done = watchCourse(
      dir,
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
      stop.signal,
      20
    )
    expect(stdout).toBe('01-mini: 6 steps, 3 questions, FAILED\n')
    expect(stderr).toContain('the simulator says "62", not "63"')
    const lesson = join(dir, '01-mini/lesson.yaml')
    writeFileSync(lesson, readFileSync(lesson, 'utf8').replace('answer: 63', 'answer: 62'))
    await vi.waitFor(
      () =>
        expect(stdout).toMatch(
          /changes in .*\n01-mini: 6 steps, 3 questions, \d+ min en, \d+ min zh-CN, solved in \d+ ms\n$/
        ),
      { timeout: 10_000 }
    )
    stop.abort()
    await done
    rmSync(dir, { recursive: true, force: true })
  })
})
