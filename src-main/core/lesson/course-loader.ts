import { parseDocument } from 'yaml'
import type { z } from 'zod'
import { parseScenario } from '../scenario/parse-scenario.ts'
import type { Scenario } from '../scenario/scenario.schema.ts'
import { lessonContentHash } from './content-hash.ts'
import { issuesFromZod, type LessonIssue } from './issues.ts'
import { checkLessonRules } from './lesson-rules.ts'
import {
  type CourseIndex,
  courseIndexSchema,
  type Lesson,
  lessonSchema,
  type Localized,
  LOCALES,
  type Locale
} from './lesson.schema.ts'
import { type ProseSections, splitProse } from './markdown-sections.ts'
import { checkCommandTargets, type LessonText, localizedTexts } from './prose-commands.ts'

/**
 * Read-only access to a lessons folder. The core stays pure, so the caller implements this over
 * `fs` (or over an in-memory map in tests). Paths are POSIX, relative to the lessons root.
 */
export interface LessonFiles {
  /** Names of the entries directly inside `dir` ('' is the root); `undefined` if there is no such folder. */
  listDir(dir: string): readonly string[] | undefined
  /** A file's UTF-8 text; `undefined` if there is no such file. */
  readText(path: string): string | undefined
}

/** A lesson that passed the schema, the rules and the prose checks: the app can open it. */
export interface LoadedLesson {
  /** The lesson's folder, e.g. `00-tour`. */
  dir: string
  lesson: Lesson
  scenario: Scenario
  /** The scenario file's text, for the sim core's own parser. */
  scenarioText: string
  /** Per locale, the prose split at `## <step-id>`. */
  prose: Record<Locale, ProseSections>
  /** Hash of every file of the lesson; stored with learners' snapshots (see resume.ts). */
  contentHash: string
}

export type CourseEntry =
  | { status: 'available'; dir: string; lesson: LoadedLesson }
  | {
      status: 'unavailable'
      dir: string
      /** Present when lesson.yaml got far enough to name itself. */
      id?: string
      title?: Localized
      /** Why the lesson cannot be opened, as `file: path: reason` records. */
      issues: LessonIssue[]
    }

export interface Course {
  /** `undefined` when index.yaml itself is missing or invalid; `issues` says why. */
  index: CourseIndex | undefined
  /** In course order. */
  lessons: CourseEntry[]
  /** Problems with index.yaml or across lessons (a lesson id used twice). */
  issues: LessonIssue[]
}

type Parsed<T> = { ok: true; value: T } | { ok: false; issues: LessonIssue[] }

/** Parses YAML, reporting syntax errors as `line L, column C` so authors can jump to them. */
function parseYamlFile(file: string, text: string): Parsed<unknown> {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => {
        const at = error.linePos?.[0]
        return {
          file,
          path: at ? `line ${at.line}, column ${at.col}` : '',
          reason: `YAML syntax error: ${error.message.split(' at line ')[0] as string}`
        }
      })
    }
  }
  return { ok: true, value: doc.toJS() }
}

function parseWith<S extends z.ZodType>(
  file: string,
  text: string | undefined,
  schema: S
): Parsed<z.output<S>> {
  if (text === undefined) return { ok: false, issues: [{ file, path: '', reason: 'file not found' }] }
  const yaml = parseYamlFile(file, text)
  if (!yaml.ok) return yaml
  const result = schema.safeParse(yaml.value)
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: issuesFromZod(file, result.error) }
}

/**
 * Loads the whole course. Never throws on bad content: a broken lesson becomes an `unavailable`
 * entry with its reasons and every other lesson still loads.
 */
export function loadCourse(files: LessonFiles): Course {
  const index = parseWith('index.yaml', files.readText('index.yaml'), courseIndexSchema)
  if (!index.ok) return { index: undefined, lessons: [], issues: index.issues }
  const issues: LessonIssue[] = []
  const seenDirs = new Set<string>()
  index.value.lessons.forEach((dir, i) => {
    if (seenDirs.has(dir))
      issues.push({ file: 'index.yaml', path: `lessons[${i}]`, reason: `"${dir}" is listed twice` })
    seenDirs.add(dir)
  })
  const lessons = [...seenDirs].map((dir) => loadLesson(files, dir))
  const seenIds = new Map<string, string>()
  for (const entry of lessons) {
    const id = entry.status === 'available' ? entry.lesson.lesson.id : entry.id
    if (id === undefined) continue
    const other = seenIds.get(id)
    if (other !== undefined) {
      issues.push({
        file: `${entry.dir}/lesson.yaml`,
        path: 'id',
        reason: `lesson id "${id}" is already used by ${other}`
      })
    }
    seenIds.set(id, entry.dir)
  }
  issues.push(...unnamedTopics(index.value, lessons))
  return { index: index.value, lessons, issues }
}

/** Topic tags a lesson uses that index.yaml's `topics` leaves unnamed (none when it names no topics). */
function unnamedTopics(index: CourseIndex, lessons: readonly CourseEntry[]): LessonIssue[] {
  const named = index.topics
  if (named === undefined) return []
  const issues: LessonIssue[] = []
  const reported = new Set<string>()
  for (const entry of lessons) {
    if (entry.status !== 'available') continue
    for (const topic of entry.lesson.lesson.topics) {
      if (Object.hasOwn(named, topic) || reported.has(topic)) continue
      reported.add(topic)
      issues.push({
        file: 'index.yaml',
        path: 'topics',
        reason: `no name for the topic "${topic}" that ${entry.dir}/lesson.yaml uses`
      })
    }
  }
  return issues
}

/** Loads one lesson folder (`NN-slug` or `NNx-slug`) of the course. */
export function loadLesson(files: LessonFiles, dir: string): CourseEntry {
  const lessonFile = `${dir}/lesson.yaml`
  if (files.listDir(dir) === undefined) {
    return {
      status: 'unavailable',
      dir,
      issues: [{ file: dir, path: '', reason: 'lesson folder not found' }]
    }
  }
  const lessonText = files.readText(lessonFile)
  const parsed = parseWith(lessonFile, lessonText, lessonSchema)
  if (!parsed.ok)
    return { status: 'unavailable', dir, ...identify(lessonFile, lessonText), issues: parsed.issues }
  const lesson = parsed.value
  const issues: LessonIssue[] = []
  const expectedId = dir.replace(/^\d\d[a-z]?-/, '')
  if (lesson.id !== expectedId) {
    issues.push({
      file: lessonFile,
      path: 'id',
      reason: `id "${lesson.id}" does not match its folder ${dir} (expected "${expectedId}")`
    })
  }

  const scenarioFile = `${dir}/${lesson.scenario}`
  const scenarioText = files.readText(scenarioFile)
  const scenario = readScenario(scenarioFile, scenarioText)
  if (!scenario.ok) issues.push(...scenario.issues)
  issues.push(...checkLessonRules(lessonFile, lesson, scenario.ok ? scenario.value : undefined))

  const texts: Record<string, string> = { 'lesson.yaml': lessonText as string }
  if (scenarioText !== undefined) texts[lesson.scenario] = scenarioText
  const prose: Partial<Record<Locale, ProseSections>> = {}
  for (const locale of LOCALES) {
    const name = `${lesson.prose}.${locale}.md`
    const file = `${dir}/${name}`
    const text = files.readText(file)
    if (text === undefined) {
      issues.push({
        file,
        path: '',
        reason: `file not found (every lesson needs prose in ${LOCALES.join(' and ')})`
      })
      continue
    }
    texts[name] = text
    const split = splitProse(file, text)
    issues.push(...split.issues)
    for (const step of lesson.steps) {
      const body = split.prose.sections[step.id]
      if (body === undefined)
        issues.push({ file, path: `## ${step.id}`, reason: 'missing section for this step' })
      else if (body === '') issues.push({ file, path: `## ${step.id}`, reason: 'section is empty' })
    }
    const stepIds = new Set(lesson.steps.map((step) => step.id))
    for (const id of Object.keys(split.prose.sections)) {
      if (!stepIds.has(id)) issues.push({ file, path: `## ${id}`, reason: 'no step has this id' })
    }
    prose[locale] = split.prose
  }
  if (scenario.ok) {
    const texts: LessonText[] = [
      ...localizedTexts(lessonFile, lesson),
      ...LOCALES.flatMap((locale) => {
        const file = `${dir}/${lesson.prose}.${locale}.md`
        const sections = prose[locale]
        if (!sections) return []
        return [
          { file, path: 'introduction', markdown: sections.intro },
          ...Object.entries(sections.sections).map(([id, markdown]) => ({ file, path: `## ${id}`, markdown }))
        ]
      })
    ]
    issues.push(...checkCommandTargets(texts, scenario.value))
  }

  if (issues.length > 0 || !scenario.ok)
    return { status: 'unavailable', dir, id: lesson.id, title: lesson.title, issues }
  return {
    status: 'available',
    dir,
    lesson: {
      dir,
      lesson,
      scenario: scenario.value,
      scenarioText: scenarioText as string,
      prose: prose as Record<Locale, ProseSections>,
      contentHash: lessonContentHash(texts)
    }
  }
}

/** The sim core's parser is the authority on scenarios; its `file: path: reason` lines become issues. */
function readScenario(file: string, text: string | undefined): Parsed<Scenario> {
  if (text === undefined) return { ok: false, issues: [{ file, path: '', reason: 'file not found' }] }
  const parsed = parseScenario(text, file)
  if (parsed.ok) return { ok: true, value: parsed.scenario }
  return {
    ok: false,
    issues: parsed.errors.map((line) => {
      const rest = line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line
      const split = rest.indexOf(': ')
      return split < 0
        ? { file, path: '', reason: rest }
        : { file, path: rest.slice(0, split), reason: rest.slice(split + 2) }
    })
  }
}

/** Best effort id and title from a lesson.yaml that failed validation, so the list can still name it. */
function identify(file: string, text: string | undefined): { id?: string; title?: Localized } {
  if (text === undefined) return {}
  const yaml = parseYamlFile(file, text)
  if (!yaml.ok || typeof yaml.value !== 'object' || yaml.value === null) return {}
  const raw = yaml.value as { id?: unknown; title?: unknown }
  const out: { id?: string; title?: Localized } = {}
  if (typeof raw.id === 'string') out.id = raw.id
  const title = lessonSchema.shape.title.safeParse(raw.title)
  if (title.success) out.title = title.data
  return out
}
