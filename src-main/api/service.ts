import { join } from 'node:path'
import { loadCourse, type Course, type LoadedLesson } from '../core/lesson/course-loader.ts'
import { formatIssue } from '../core/lesson/issues.ts'
import { questionsOf } from '../core/lesson/lesson.machine.ts'
import type { Question } from '../core/lesson/lesson.schema.ts'
import { correctAnswer, gradeAnswer, toPublicQuestion, validateAnswer } from '../core/lesson/quiz.ts'
import {
  openProgressStore,
  StoreError,
  type ProgressStore,
  type Recovery,
  type ReviewItem
} from '../store/index.ts'
import type { Settings } from './contract.ts'
import type { Handlers } from './dispatch.ts'
import { ApiError, type ApiErrorCode } from './envelope.ts'
import { lessonFilesFromDir, lessonsFingerprint } from './lesson-files.ts'
import { LessonHost } from './lesson-host.ts'
import { withPacks } from '../classroom/packs.ts'
import { SandboxHost } from './sandbox-host.ts'
import { LabPool, type LabPoolOptions } from '../labs/lab-pool.ts'
import { classHostHandlers, type ClassHostLauncher } from './class-host-methods.ts'

export interface ServiceOptions {
  /** Where progress.sqlite lives (Electron's userData, or the web host's --data-dir). */
  dataDir: string
  lessonsDir: string
  /** Imported lesson packs (classroom `pack:import`); their lessons follow the course's own. */
  packsDir?: string
  version: string
  /** Electron-ABI better-sqlite3 binding; only inside Electron. */
  nativeBinding?: string
  now?: () => number
  /** Starts a LAN class host from the app's own window; only the Electron main injects one. */
  classHost?: ClassHostLauncher
  /** Worker threads, CPU budget and memory limit of the labs. */
  labs?: LabPoolOptions
}

export interface Service {
  handlers: Handlers
  /** The open progress store (null when it could not be opened); the classroom host shares it. */
  store: ProgressStore | null
  close: () => void
}

const defaultSettings: Settings = { locale: null, theme: 'system', fontScale: 1, reducedMotion: false }
const activeLearnerKey = 'activeLearner'

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

/** The API implemented once, over the lesson files and the progress store; both transports call it. */
export function createService(options: ServiceOptions): Service {
  const now = options.now ?? Date.now
  const opened = openStore(options, now)
  const recovered = opened.ok ? opened.recovered : null
  const files = lessonFilesFromDir(options.lessonsDir)

  // Re-parsed whenever a lesson file changes, so authors see edits without a restart.
  let cached: { fingerprint: string; course: Course } | null = null
  const course = (): Course => {
    const packsDir = options.packsDir
    const fingerprint =
      lessonsFingerprint(options.lessonsDir) + (packsDir ? `\n${lessonsFingerprint(packsDir)}` : '')
    if (cached?.fingerprint !== fingerprint) {
      cached = { fingerprint, course: packsDir ? withPacks(loadCourse(files), packsDir) : loadCourse(files) }
    }
    return cached.course
  }

  function availableLesson(lessonId: string): LoadedLesson {
    for (const entry of course().lessons) {
      if (entry.status === 'available' && entry.lesson.lesson.id === lessonId) return entry.lesson
    }
    throw new ApiError('not_found', `no lesson with id "${lessonId}"`)
  }

  const pool = new LabPool(options.labs)
  let host: LessonHost | null = null
  const lessons = (store: ProgressStore): LessonHost => (host ??= new LessonHost(store, pool, now))
  // Free play needs no store: a learner can experiment even when saving is impossible.
  const sandboxes = new SandboxHost(pool, now)

  /** Free play and lessons share terminal completion and capture downloads. */
  function labTools(
    learnerId: string,
    lab: { kind: 'lesson'; lessonId: string } | { kind: 'sandbox'; sandboxId: string }
  ) {
    if (lab.kind === 'sandbox') {
      return {
        complete: (on: string, line: string, cursor: number) =>
          sandboxes.complete(learnerId, lab.sandboxId, on, line, cursor),
        pcap: (traceId: number) => sandboxes.pcap(learnerId, lab.sandboxId, traceId)
      }
    }
    const host = lessons(usableStore())
    return {
      complete: (on: string, line: string, cursor: number) =>
        host.complete(learnerId, lab.lessonId, on, line, cursor),
      pcap: (traceId: number) => host.pcap(learnerId, lab.lessonId, traceId)
    }
  }

  /** Status and score per lesson for one learner; lessons never opened are absent. */
  function progressByLesson(
    learnerId: string
  ): Map<string, { status: 'in-progress' | 'completed'; score: number | null }> {
    const store = usableStore()
    requireLearner(store, learnerId)
    const summary = store.summary.progressSummary(learnerId, topicsByLesson(course()))
    return new Map(
      summary.lessons.map((row) => [
        row.lessonId,
        {
          status: row.status === 'completed' ? ('completed' as const) : ('in-progress' as const),
          score: row.score
        }
      ])
    )
  }

  /** Lessons still open when the store cannot be (read-only disk, newer file): only saving fails, loudly. */
  function usableStore(): ProgressStore {
    if (opened.ok) return opened.store
    throw new ApiError('store_unavailable', opened.message)
  }

  function requireLearner(s: ProgressStore, learnerId: string): void {
    if (!s.profiles.get(learnerId))
      throw new ApiError('not_found', `no learner profile with id "${learnerId}"`)
  }

  function settingsOf(store: ProgressStore, learnerId: string): Settings {
    const saved = store.settings.all(learnerId)
    const merged: Record<string, unknown> = { ...defaultSettings }
    for (const key of Object.keys(defaultSettings)) if (key in saved) merged[key] = saved[key]
    return merged as Settings
  }

  function topicsByLesson(c: Course): Record<string, readonly string[]> {
    const topics: Record<string, readonly string[]> = {}
    for (const entry of c.lessons)
      if (entry.status === 'available') topics[entry.lesson.lesson.id] = entry.lesson.lesson.topics
    return topics
  }

  /**
   * The course question a review item asks again, or null when its lesson or question left the
   * course. Prediction items (their question id is the predict step's id) have no question form
   * to ask outside the lesson's lab, so they resolve to null and the review session skips them.
   */
  function reviewQuestion(item: ReviewItem): { loaded: LoadedLesson; question: Question } | null {
    if (item.source !== 'quiz') return null
    for (const entry of course().lessons) {
      if (entry.status !== 'available' || entry.lesson.lesson.id !== item.lessonId) continue
      const steps = entry.lesson.lesson.steps
      const inStep = steps.find((step) => step.id === item.stepId)
      const question =
        (inStep ? questionsOf(inStep) : []).find((q) => q.id === item.questionId) ??
        steps.flatMap(questionsOf).find((q) => q.id === item.questionId)
      return question ? { loaded: entry.lesson, question } : null
    }
    return null
  }

  const handlers: Handlers = {
    ...classHostHandlers(options.classHost ?? null),

    'app:info': () => ({
      version: options.version,
      storeNotice: opened.ok
        ? recovered
          ? { reason: `${recovered.reason}: ${recovered.detail}`, movedTo: recovered.movedTo }
          : null
        : { reason: opened.message, movedTo: null }
    }),

    'lessons:list': ({ learnerId }) => {
      const c = course()
      const progress = learnerId === undefined ? null : progressByLesson(learnerId)
      const progressOf = (
        id: string
      ): { status: 'not-started' | 'in-progress' | 'completed'; score: number | null } | null =>
        progress === null ? null : (progress.get(id) ?? { status: 'not-started', score: null })
      return {
        courseTitle: c.index?.title ?? { en: 'Podnet Lab', 'zh-CN': 'Podnet Lab' },
        lessons: c.lessons.map((entry) =>
          entry.status === 'available'
            ? {
                id: entry.lesson.lesson.id,
                slug: entry.dir,
                title: entry.lesson.lesson.title,
                minutes: entry.lesson.lesson.estimatedMinutes,
                topics: entry.lesson.lesson.topics,
                available: true,
                problems: [],
                progress: progressOf(entry.lesson.lesson.id)
              }
            : {
                id: entry.id ?? entry.dir,
                slug: entry.dir,
                title: entry.title ?? { en: entry.dir, 'zh-CN': entry.dir },
                minutes: 0,
                topics: [],
                available: false,
                problems: entry.issues.map(formatIssue),
                progress: null
              }
        )
      }
    },

    'lesson:open': async ({ learnerId, lessonId }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      const loaded = availableLesson(lessonId)
      store.lessonOpens.record(learnerId, lessonId)
      const { lesson, prose } = loaded
      const host = lessons(store)
      const session = await host.open(learnerId, loaded)
      return {
        session,
        topology: await host.topology(learnerId, lessonId),
        id: lesson.id,
        title: lesson.title,
        minutes: lesson.estimatedMinutes,
        objectives: lesson.objectives,
        steps: lesson.steps.map((step) => ({
          id: step.id,
          kind: step.kind,
          body: {
            en: prose.en.sections[step.id] ?? '',
            'zh-CN': prose['zh-CN'].sections[step.id] ?? ''
          }
        }))
      }
    },

    'lesson:send': ({ learnerId, lessonId, event }) =>
      lessons(usableStore()).send(learnerId, lessonId, event),

    'lesson:reset': ({ learnerId, lessonId, scope }) =>
      lessons(usableStore()).reset(learnerId, lessonId, scope),

    'quiz:submit': async ({ learnerId, lessonId, questionId, answer }) => {
      const session = await lessons(usableStore()).answer(learnerId, lessonId, questionId, answer)
      const questions =
        session.step?.kind === 'quiz' || session.step?.kind === 'trace' ? session.step.questions : []
      const grading = questions.find((q) => q.question.id === questionId)?.gradings.at(-1) ?? null
      return { grading, session }
    },

    'shell:exec': async ({ learnerId, lessonId, on, line }) => {
      const { view, ...output } = await lessons(usableStore()).exec(learnerId, lessonId, on, line)
      return { ...output, session: view }
    },

    'shell:complete': async ({ learnerId, lab, on, line, cursor }) => {
      const {
        line: completed,
        cursor: at,
        candidates
      } = await labTools(learnerId, lab).complete(on, line, cursor)
      return { line: completed, cursor: at, candidates: [...candidates] }
    },

    'trace:run': async ({ learnerId, lessonId, trace }) => {
      const {
        trace: result,
        traceId,
        story,
        view
      } = await lessons(usableStore()).trace(learnerId, lessonId, trace)
      return { trace: result, traceId, story, session: view }
    },

    'trace:pcap': ({ learnerId, lab, traceId }) => labTools(learnerId, lab).pcap(traceId),

    'sandbox:open': ({ learnerId, source }) => {
      if (source.kind === 'file') return sandboxes.open(learnerId, source)
      const { lesson, scenario, scenarioText } = availableLesson(source.lessonId)
      return sandboxes.open(learnerId, {
        kind: 'lesson',
        lessonId: lesson.id,
        title: lesson.title,
        scenario,
        scenarioText
      })
    },

    'sandbox:exec': ({ learnerId, sandboxId, on, line }) => sandboxes.exec(learnerId, sandboxId, on, line),

    'sandbox:trace': ({ learnerId, sandboxId, trace }) => sandboxes.trace(learnerId, sandboxId, trace),

    'sandbox:topology': ({ learnerId, sandboxId }) => sandboxes.topology(learnerId, sandboxId),

    'sandbox:diagram': ({ learnerId, sandboxId }) => sandboxes.diagram(learnerId, sandboxId),

    'sandbox:inspect': async ({ learnerId, sandboxId, objectId }) => ({
      objectId,
      sections: await sandboxes.inspect(learnerId, sandboxId, objectId)
    }),

    'sandbox:reset': async ({ learnerId, sandboxId }) => {
      await sandboxes.reset(learnerId, sandboxId)
      return sandboxes.topology(learnerId, sandboxId)
    },

    'lab:topology': ({ learnerId, lessonId }) => lessons(usableStore()).topology(learnerId, lessonId),

    'lab:diagram': ({ learnerId, lessonId }) => lessons(usableStore()).diagram(learnerId, lessonId),

    'lab:inspect': async ({ learnerId, lessonId, objectId }) => ({
      objectId,
      sections: await lessons(usableStore()).inspect(learnerId, lessonId, objectId)
    }),

    'progress:summary': ({ learnerId }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      const c = course()
      const summary = store.summary.progressSummary(learnerId, topicsByLesson(c))
      return {
        lessons: summary.lessons.map((row) => ({
          lessonId: row.lessonId,
          status: row.status === 'completed' ? ('completed' as const) : ('in-progress' as const),
          openedAt: iso(row.startedAt ?? row.lastOpenedAt),
          completedAt: iso(row.completedAt),
          score: row.score
        }))
      }
    },

    'progress:export': ({ learnerId, format }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      const name = (store.profiles.get(learnerId)?.name ?? 'learner').replace(/[^\p{L}\p{N}_-]+/gu, '-')
      const day = new Date(now()).toISOString().slice(0, 10)
      switch (format) {
        case 'json':
          return {
            fileName: `podnet-progress-${name}-${day}.json`,
            mimeType: 'application/json',
            content: store.exportProgress(learnerId)
          }
        case 'csv':
          return {
            fileName: `podnet-attempts-${name}-${day}.csv`,
            mimeType: 'text/csv',
            content: store.exportAttemptsCsv(learnerId)
          }
        case 'xapi':
          return {
            fileName: `podnet-xapi-${name}-${day}.json`,
            mimeType: 'application/json',
            content: JSON.stringify(store.exportXapi(learnerId), null, 2)
          }
      }
    },

    'progress:import': ({ content }) => {
      const report = usableStore().importProgress(content)
      return {
        learnerId: report.learnerId,
        learnerCreated: report.learnerCreated,
        changes: { ...report.changes }
      }
    },

    'progress:reset': ({ learnerId, confirm }) => {
      const store = usableStore()
      const profile = store.profiles.get(learnerId)
      if (!profile) throw new ApiError('not_found', `no learner profile with id "${learnerId}"`)
      if (confirm !== profile.name) {
        throw new ApiError(
          'invalid_input',
          `confirm: type the profile's name "${profile.name}" to reset its progress`
        )
      }
      const removed = store.resetProgress(learnerId)
      // Open lessons would otherwise write their old snapshots back on the next event.
      host?.forget(learnerId)
      return { removed: { ...removed } }
    },

    'review:due': ({ learnerId }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      const at = now()
      const items = store.review
        .list(learnerId)
        .filter((item) => item.dueAt <= at)
        .flatMap((item) => {
          const found = reviewQuestion(item)
          if (!found) return []
          return [
            {
              itemId: item.id,
              lessonId: item.lessonId,
              lessonTitle: found.loaded.lesson.title,
              questionId: item.questionId,
              question: toPublicQuestion(found.question),
              dueAt: new Date(item.dueAt).toISOString()
            }
          ]
        })
      return { items, total: items.length }
    },

    'review:answer': ({ learnerId, itemId, answer }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      // Looked up within the learner's own queue: another learner's item is as unknown as a made-up id.
      const item = store.review.list(learnerId).find((i) => i.id === itemId)
      if (!item) throw new ApiError('not_found', `no review item with id "${itemId}" for this learner`)
      const found = reviewQuestion(item)
      if (!found) {
        throw new ApiError(
          'not_found',
          `review item "${itemId}" asks question "${item.questionId}" of lesson "${item.lessonId}", which the course no longer has`
        )
      }
      const { question } = found
      const rejection = validateAnswer(question, answer)
      if (rejection) {
        throw new ApiError(
          'invalid_input',
          `answer: ${rejection} for ${question.kind} question "${question.id}"`
        )
      }
      // One attempt per review, and it always finishes: the explanation and key are the point of reviewing.
      const graded = gradeAnswer(question, answer, 0)
      const grading = {
        ...graded,
        finished: true,
        explanation: question.explanation,
        correctAnswer: correctAnswer(question)
      }
      const quality = graded.correct ? 4 : graded.fraction > 0 ? 2 : 1
      const next = store.transaction(() => {
        const rescheduled = store.review.grade(item.id, quality)
        // SM-2 repeats every item graded below 4 within the same session until it is recalled, so
        // a miss stays due now with its repetitions restarted.
        return quality < 4 ? store.review.enqueueFailure(item) : rescheduled
      })
      return { grading, nextDueAt: new Date(next.dueAt).toISOString() }
    },

    'settings:get': ({ learnerId }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      return settingsOf(store, learnerId)
    },

    'settings:set': ({ learnerId, settings }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      for (const [key, value] of Object.entries(settings)) {
        if (value !== undefined) store.settings.set(key, value, learnerId)
      }
      return settingsOf(store, learnerId)
    },

    'profiles:list': () => {
      const store = usableStore()
      const profiles = store.profiles.list()
      const active = store.settings.get(activeLearnerKey)
      const activeId = typeof active === 'string' && profiles.some((p) => p.id === active) ? active : null
      return {
        profiles: profiles.map((p) => ({
          id: p.id,
          name: p.name,
          createdAt: new Date(p.createdAt).toISOString()
        })),
        activeId,
        activeSettings: activeId === null ? null : settingsOf(store, activeId)
      }
    },

    'profiles:create': ({ name }) => {
      const store = usableStore()
      const p = store.profiles.create(name)
      return { id: p.id, name: p.name, createdAt: new Date(p.createdAt).toISOString() }
    },

    'profiles:select': ({ learnerId }) => {
      const store = usableStore()
      const p = store.profiles.get(learnerId)
      if (!p) throw new ApiError('not_found', `no learner profile with id "${learnerId}"`)
      store.settings.set(activeLearnerKey, learnerId)
      return { id: p.id, name: p.name, createdAt: new Date(p.createdAt).toISOString() }
    }
  }

  return {
    handlers: translatingStoreErrors(handlers),
    store: opened.ok ? opened.store : null,
    close: () => {
      host?.closeAll()
      sandboxes.closeAll()
      void pool.destroy()
      if (opened.ok) opened.store.close()
    }
  }
}

const apiCodeOfStoreError = {
  'not-found': 'not_found',
  conflict: 'invalid_input',
  invalid: 'invalid_input',
  'read-only': 'store_unavailable',
  'disk-full': 'store_unavailable',
  'schema-too-new': 'store_unavailable',
  busy: 'store_unavailable',
  io: 'store_unavailable'
} as const satisfies Record<StoreError['code'], ApiErrorCode>

/** A full disk or a duplicate profile name is the learner's to see in words, not an "internal" error. */
function translatingStoreErrors(handlers: Handlers): Handlers {
  const wrapped: Record<string, (input: never) => unknown> = {}
  for (const [method, handler] of Object.entries(handlers) as [string, (input: never) => unknown][]) {
    wrapped[method] = async (input) => {
      try {
        return await handler(input)
      } catch (error) {
        if (error instanceof StoreError) throw new ApiError(apiCodeOfStoreError[error.code], error.message)
        throw error
      }
    }
  }
  return wrapped as Handlers
}

type OpenResult =
  { ok: true; store: ProgressStore; recovered: Recovery | null } | { ok: false; message: string }

function openStore(options: ServiceOptions, now: () => number): OpenResult {
  const file = join(options.dataDir, 'progress.sqlite')
  try {
    const { store, recovered } = openProgressStore(file, {
      now,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
    })
    return { ok: true, store, recovered }
  } catch (error) {
    if (error instanceof StoreError) return { ok: false, message: error.message }
    throw error
  }
}
