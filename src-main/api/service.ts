import { join } from 'node:path'
import { loadCourse, type Course, type LoadedLesson } from '../core/lesson/course-loader.ts'
import type { Lesson } from '../core/lesson/lesson.schema.ts'
import { openProgressStore, StoreError, type ProgressStore, type Recovery } from '../store/index.ts'
import type { Handlers } from './dispatch.ts'
import type { StreamHandlers } from './streams.ts'
import { ApiError } from './envelope.ts'
import { reason } from './error-reasons.ts'
import { storeErrorReason, unknownLearner } from './refusals.ts'
import { lessonFilesFromDir, lessonsFingerprint } from './lesson-files.ts'
import { LessonHost, type LessonTerminalEvent } from './lesson-host.ts'
import { withPacks } from '../classroom/packs.ts'
import { SandboxHost } from './sandbox-host.ts'
import { LabPool, type LabPoolOptions } from '../labs/lab-pool.ts'
import { classHostHandlers, type ClassHostLauncher } from './class-host-methods.ts'
import type { ServiceContext } from './handlers/context.ts'
import { labHandlers } from './handlers/lab.ts'
import { lessonHandlers } from './handlers/lessons.ts'
import { profileHandlers } from './handlers/profiles.ts'
import { progressHandlers } from './handlers/progress.ts'
import { reviewHandlers } from './handlers/review.ts'

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
  /** The streams the service serves; the classroom adds its own where a class runs. */
  streams: Pick<StreamHandlers, 'lab:terminal'>
  /** The open progress store (null when it could not be opened); the classroom host shares it. */
  store: ProgressStore | null
  /** An available lesson's definition (questions, answer keys, pass mark), for the class reports. */
  lessonDefinition: (lessonId: string) => Lesson | null
  /** Boots every lab worker now rather than at the first lesson, for a host a room joins at once. */
  warmLabs: () => void
  close: () => void
}

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
    throw new ApiError('not_found', `no lesson with id "${lessonId}"`, {
      reason: reason('lesson_unknown', { lessonId })
    })
  }

  const pool = new LabPool(options.labs)
  let host: LessonHost | null = null
  const lessons = (store: ProgressStore): LessonHost => (host ??= new LessonHost(store, pool, now))
  // Free play needs no store: a learner can experiment even when saving is impossible.
  const sandboxes = new SandboxHost(pool, now)

  const ctx: ServiceContext = {
    now,
    course,
    availableLesson,
    usableStore,
    storeIfUsable: () => (opened.ok ? opened.store : null),
    requireLearner,
    lessons,
    openLessons: () => host,
    sandboxes
  }

  /** Lessons still open when the store cannot be (read-only disk, newer file): only saving fails, loudly. */
  function usableStore(): ProgressStore {
    if (opened.ok) return opened.store
    throw new ApiError('store_unavailable', opened.message, { reason: storeErrorReason(opened.code) })
  }

  function requireLearner(s: ProgressStore, learnerId: string): void {
    if (!s.profiles.get(learnerId)) throw unknownLearner(learnerId)
  }

  const handlers: Handlers = {
    ...classHostHandlers(options.classHost ?? null),
    'app:info': () => ({
      version: options.version,
      storeNotice: opened.ok
        ? recovered
          ? {
              kind: 'set-aside',
              reason: `${recovered.reason}: ${recovered.detail}`,
              movedTo: recovered.movedTo
            }
          : null
        : {
            kind: opened.code === 'schema-too-new' ? 'newer-version' : 'unavailable',
            reason: opened.message,
            movedTo: null
          },
      labBudgetMs: pool.budgetMs
    }),
    ...lessonHandlers(ctx),
    ...labHandlers(ctx),
    ...progressHandlers(ctx),
    ...reviewHandlers(ctx),
    ...profileHandlers(ctx)
  }

  const streams: Service['streams'] = {
    'lab:terminal': async ({ learnerId, lab, on }, { emit, end }) => {
      const onEvent = (event: LessonTerminalEvent): void => {
        if (event.kind === 'closed')
          end(
            new ApiError(
              'lab_stopped',
              'the lab was reset or rebuilt: this terminal and its captures ended; open a new one'
            )
          )
        else emit(event)
      }
      const terminal =
        lab.kind === 'sandbox'
          ? await sandboxes.openTerminal(learnerId, lab.sandboxId, on, onEvent)
          : await lessons(usableStore()).openTerminal(learnerId, lab.lessonId, on, onEvent)
      emit({ kind: 'opened', terminalId: terminal.terminalId })
      return { unsubscribe: terminal.close }
    }
  }

  return {
    handlers,
    streams,
    store: opened.ok ? opened.store : null,
    lessonDefinition: (lessonId) => {
      const entry = course().lessons.find((e) => e.status === 'available' && e.lesson.lesson.id === lessonId)
      return entry?.status === 'available' ? entry.lesson.lesson : null
    },
    warmLabs: () => pool.warm(),
    close: () => {
      host?.closeAll()
      sandboxes.closeAll()
      void pool.destroy()
      if (opened.ok) opened.store.close()
    }
  }
}

type OpenResult =
  | { ok: true; store: ProgressStore; recovered: Recovery | null }
  | { ok: false; code: StoreError['code']; message: string }

function openStore(options: ServiceOptions, now: () => number): OpenResult {
  const file = join(options.dataDir, 'progress.sqlite')
  try {
    const { store, recovered } = openProgressStore(file, {
      now,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
    })
    return { ok: true, store, recovered }
  } catch (error) {
    if (error instanceof StoreError) return { ok: false, code: error.code, message: error.message }
    throw error
  }
}
