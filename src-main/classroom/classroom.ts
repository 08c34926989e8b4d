import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { z } from 'zod'
import {
  classroomContract,
  learnerScopedMethods,
  type ClassEvent,
  type ClassroomMethodName,
  type ClassroomOutput,
  type Dashboard,
  type LessonGate
} from '../api/classroom-contract.ts'
import { runMethod, type Handlers } from '../api/dispatch.ts'
import { ApiError, type Envelope } from '../api/envelope.ts'
import { reason } from '../api/error-reasons.ts'
import { learnerTokenNeeded } from '../api/refusals.ts'
import { streamNames, subscribersOf, type StreamHandlers } from '../api/streams.ts'
import type { Service } from '../api/service.ts'
import { StoreError, type ClassMember, type ProgressStore, type TokenHolder } from '../store/index.ts'
import { LiveClass, type ObservedStep } from './live.ts'
import { sendToLrs } from './lrs.ts'
import { exportInstalledPack, exportLessons, type ExportedPack, type LessonSource } from './pack-export.ts'
import { importPack, installedPackSummaries, removePack } from './packs.ts'
import { RateLimiter } from './rate-limit.ts'
import { classXapi, type ClassStatement } from './class-xapi.ts'
import { classReportCsv, difficultyCsv } from './report.ts'
import { anonymousEvent } from './anonymous-feed.ts'
import {
  hashToken,
  LEARNER_TOKEN_PREFIX,
  newClassId,
  newJoinCode,
  newLearnerToken,
  newSeatCode
} from './secrets.ts'

/** Learner-scoped methods that only read a record: the instructor may call them for a class learner. */
const instructorReads = new Set<string>(['progress:summary', 'progress:export', 'settings:get', 'review:due'])
/**
 * What the instructor may not do in a class learner's name: the learner-scoped methods that change
 * a record, and the learners' streams (a live terminal in their lesson is playing it).
 */
const instructorRefusedOnClassLearners = new Set<string>([
  ...learnerScopedMethods.filter((method) => !instructorReads.has(method)),
  ...streamNames.filter((stream) => subscribersOf(stream) === 'learner')
])

export interface ClassroomOptions {
  store: ProgressStore
  /** The service's handlers: the course's lessons come from `lessons:list`. */
  handlers: Handlers
  /** A lesson's definition: titles, questions and pass mark for the reports. */
  lessonDefinition: Service['lessonDefinition']
  /** The instructor's IRI base for xAPI (the host's `--xapi-base`), unless a call names its own. */
  xapiIriBase?: string
  /** Where `pack:import` installs packs (the service's `packsDir`). */
  packsDir: string
  /** The course's own lessons (the service's `lessonsDir`), which `pack:export` may pack. */
  lessonsDir: string
  /** The host machine's file dialogs; only the desktop app has them. */
  packDialogs?: PackDialogs
  now?: () => number
  /**
   * Failed join attempts (an unknown join or seat code) allowed per address and window; 10 a minute
   * unless the host's `--join-limit` or a test says otherwise. Successful joins never count.
   */
  joinLimit?: { limit: number; windowMs: number }
}

/** What a native file dialog says, in the instructor's language. */
export interface DialogWords {
  title: string
  /** The name of the `.zip` file type in the dialog's filter. */
  fileType: string
}

/**
 * The file dialogs of the machine the host runs on. In the desktop app that machine is the
 * instructor's, whose window is a page of the host: the dialog opens where they sit.
 */
export interface PackDialogs {
  /** The pack file chosen, or null when cancelled. */
  open: (words: DialogWords) => Promise<string | null>
  /** Where to save a pack named `fileName`, or null when cancelled. */
  save: (words: DialogWords, fileName: string) => Promise<string | null>
}

/** Who the token on a call belongs to, once checked. */
export type Caller = { kind: 'instructor' } | { kind: 'learner'; member: TokenHolder; token: string }

type ClassroomHandler<M extends ClassroomMethodName> = (
  input: z.output<(typeof classroomContract)[M]['input']>,
  context: { caller: Caller; address: string }
) => Promise<ClassroomOutput<M>> | ClassroomOutput<M>

type ClassroomHandlers = { [M in ClassroomMethodName]: ClassroomHandler<M> }

/** A refused join attempt carries the seconds the client should wait (`Retry-After`). */
export class RateLimited extends ApiError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', `too many join attempts from this address; try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds
    })
  }
}

/**
 * The classroom on the instructor's machine: classes and their members in the progress store,
 * learner tokens (kept hashed), lesson gates, the live dashboard and the reports. Transport-free:
 * the web host (or an Electron main that opens a LAN listener) authenticates callers with
 * `identify` and routes calls through `call`, `authorizeLearnerCall` and `observe`.
 */
export class Classroom {
  readonly #store: ProgressStore
  readonly #handlers: Handlers
  readonly #lessonDefinition: Service['lessonDefinition']
  readonly #xapiIriBase: string | undefined
  readonly #packsDir: string
  readonly #lessonsDir: string
  readonly #packDialogs: PackDialogs | null
  readonly #now: () => number
  readonly #joins: RateLimiter
  readonly #live = new Map<string, LiveClass>()
  readonly #methods: ClassroomHandlers
  /** The course's available lessons when last asked; null before the first ask. */
  #courseLessonIds: ReadonlySet<string> | null = null
  /** Where learners reach this host (`http://192.168.1.20:4317`); the join URL is built from it. */
  origin = 'http://127.0.0.1'
  /** The host's token, which `class:start` hands out; the web host sets it when it starts serving. */
  instructorToken: string | null = null

  constructor(options: ClassroomOptions) {
    this.#store = options.store
    this.#handlers = options.handlers
    this.#lessonDefinition = options.lessonDefinition
    this.#xapiIriBase = options.xapiIriBase
    this.#packsDir = options.packsDir
    this.#lessonsDir = options.lessonsDir
    this.#packDialogs = options.packDialogs ?? null
    this.#now = options.now ?? Date.now
    const limit = options.joinLimit ?? { limit: 10, windowMs: 60_000 }
    this.#joins = new RateLimiter(limit.limit, limit.windowMs, this.#now)
    this.#methods = this.#buildHandlers()
  }

  /** Whether a bearer token looks like a learner token (the instructor's never does). */
  static isLearnerToken(token: string): boolean {
    return token.startsWith(LEARNER_TOKEN_PREFIX)
  }

  /**
   * The member holding a learner token, or why it opens nothing: `closed` when its class was
   * closed, `moved` when no seat holds it any more (reclaimed in another browser, reset, or the
   * class deleted), so the learner's page can say which instead of calling every sign-out a
   * closed class.
   */
  identify(token: string): TokenHolder | 'closed' | 'moved' {
    const holder = this.#store.classes.byTokenHash(hashToken(token))
    if (!holder) return 'moved'
    return holder.classStatus === 'open' ? holder : 'closed'
  }

  /** Runs a classroom method for an already authenticated caller, through the one pipeline. */
  call(
    method: ClassroomMethodName,
    rawInput: unknown,
    caller: Caller,
    address: string
  ): Promise<Envelope<unknown>> {
    const handler = this.#methods[method] as (
      input: unknown,
      context: { caller: Caller; address: string }
    ) => unknown
    return runMethod(
      method,
      classroomContract[method],
      (input) => handler(input, { caller, address }),
      rawInput
    )
  }

  /**
   * Before an instructor's call to a learner-scoped method: a class learner's record is theirs
   * alone, so the instructor may read it but not play lessons, answer or change settings in it
   * (their own browser would then show work they never did). Throws the ApiError to answer with.
   */
  authorizeInstructorCall(method: string, body: unknown): void {
    if (!instructorRefusedOnClassLearners.has(method)) return
    for (const learnerId of namedIn(body).learnerIds) {
      const joined = this.#store.classes.classOf(learnerId)
      if (joined)
        throw new ApiError(
          'forbidden',
          `learnerId: this learner joined the class "${joined.name}"; only they change their record, with their own token`,
          { reason: reason('class_learner_record', { className: joined.name }) }
        )
    }
  }

  /**
   * Before a learner's main-contract call: every `learnerId` must be their own, and every lesson
   * the call names — `lessonId` at any depth (a sandbox's `source`, a lab reference) or a sandbox
   * opened from a lesson — must be open in their class. Throws the ApiError to answer with.
   */
  authorizeLearnerCall(member: TokenHolder, body: unknown): void {
    const named = namedIn(body)
    if (named.learnerIds.some((id) => id !== member.learnerId)) {
      throw new ApiError(
        'forbidden',
        'learnerId: a learner token may only read and change its own progress',
        {
          reason: reason('own_progress_only', {})
        }
      )
    }
    for (const lessonId of named.lessonIds) {
      if (!this.#lessonOpenFor(member.classId, lessonId)) {
        throw new ApiError(
          'lesson_locked',
          `lessonId: lesson "${lessonId}" is locked in this class; your instructor unlocks it when it is time`
        )
      }
    }
    this.#liveClass(member.classId).seen(member.learnerId)
  }

  /** After a learner's successful lesson call: feed the dashboard from what was committed. */
  observe(member: TokenHolder, method: string, value: unknown, body: unknown): void {
    this.#liveClass(member.classId).observe(member.learnerId, observedStep(method, value, body))
  }

  /** The dashboard feed of one class: a snapshot event first, then every change. */
  subscribe(classId: string, listener: (event: ClassEvent) => void): () => void {
    const live = this.#liveClass(classId)
    listener({ type: 'snapshot', dashboard: this.#inCourse(live.dashboard(false)) })
    return live.subscribe(listener)
  }

  /** The classroom's streams (api/streams.ts): the dashboard feed, `class:events`. */
  streams(): Pick<StreamHandlers, 'class:events'> {
    return {
      'class:events': ({ classId, anonymous }, { emit }) => ({
        unsubscribe: this.subscribe(classId, anonymous ? (event) => emit(anonymousEvent(event)) : emit)
      })
    }
  }

  /** How many feeds of a class are open now (0 for a class nobody watches). */
  listenerCount(classId: string): number {
    return this.#live.get(classId)?.subscribers ?? 0
  }

  /** Re-evaluates time-based state (stuck by time, learners gone quiet); the host calls it periodically. */
  tick(): void {
    for (const live of this.#live.values()) live.tick()
  }

  #liveClass(classId: string): LiveClass {
    let live = this.#live.get(classId)
    if (!live) {
      if (!this.#store.classes.get(classId))
        throw new ApiError('not_found', `classId: no class with id "${classId}"`, {
          reason: reason('class_unknown', { classId })
        })
      live = new LiveClass(classId, this.#store, this.#now)
      this.#live.set(classId, live)
    }
    return live
  }

  #lessonOpenFor(classId: string, lessonId: string): boolean {
    return this.#store.classes.lessonState(classId, lessonId) === 'enabled'
  }

  /** The class's gates, one per lesson of the course in course order, and its state for new lessons. */
  async #gates(classId: string): Promise<{ lessons: LessonGate[]; newLessons: LessonGate['state'] }> {
    const course = (await this.#courseLessons()).filter((l) => l.available).map((l) => l.id)
    const gates = this.#store.classes.syncLessons(classId, course)
    const cls = this.#requireClass(classId)
    return { lessons: gates.filter((g) => course.includes(g.lessonId)), newLessons: cls.newLessons }
  }

  async #courseLessons(): Promise<
    { id: string; slug: string; available: boolean; title: { en: string; 'zh-CN': string } }[]
  > {
    const { lessons } = await this.#handlers['lessons:list']({})
    this.#courseLessonIds = new Set(lessons.filter((l) => l.available).map((l) => l.id))
    return lessons
  }

  /**
   * A class keeps the gate of a lesson that left the course (a removed pack), so the lesson comes
   * back in the state it had; the dashboard shows only the lessons the course has, as last seen.
   */
  #inCourse(dashboard: Dashboard): Dashboard {
    const ids = this.#courseLessonIds
    return ids ? { ...dashboard, lessons: dashboard.lessons.filter((g) => ids.has(g.lessonId)) } : dashboard
  }

  async #checkLessonIds(ids: readonly string[], field: string): Promise<void> {
    const known = new Set((await this.#courseLessons()).filter((l) => l.available).map((l) => l.id))
    const unknown = ids.filter((id) => !known.has(id))
    if (unknown.length > 0)
      throw new ApiError(
        'invalid_input',
        `${field}: no lesson with id ${unknown.map((id) => `"${id}"`).join(', ')} in the course`,
        { reason: reason('lesson_unknown', { lessonId: unknown[0]! }) }
      )
  }

  /**
   * Activity ids must be the instructor's own IRIs, stable across classes, so an LRS's analytics
   * join this class with the next; without one there is nothing honest to name them by.
   */
  #statements(classId: string, method: string, iriBase: string | undefined): ClassStatement[] {
    const cls = this.#requireClass(classId)
    const base = iriBase ?? this.#xapiIriBase
    if (base === undefined) {
      throw new ApiError(
        'invalid_input',
        'iriBase: name the IRI base of the course (such as https://courses.example.edu/podnet/), or start the class host with --xapi-base',
        { reason: reason('field_invalid', { method, field: 'iriBase', expected: 'empty' }) }
      )
    }
    const store = this.#store
    return classXapi({
      iriBase: base,
      classId,
      className: cls.name,
      lessonDefinition: this.#lessonDefinition,
      learners: store.classes.members(classId).map((member) => ({
        member,
        sessions: store.sessions.list(member.learnerId),
        attempts: store.attempts.list(member.learnerId),
        events: store.events.list(member.learnerId)
      }))
    })
  }

  async #importPack(path: string): Promise<ClassroomOutput<'pack:import'>> {
    const course = await this.#courseLessons()
    const result = importPack(
      path,
      this.#packsDir,
      (packId) =>
        new Set(course.filter((l) => !(packId !== null && l.slug.startsWith(`${packId}/`))).map((l) => l.id))
    )
    if (result.ok) await this.#courseChanged()
    return result
  }

  /** Lessons came or went: every open dashboard gets its class's gates anew. */
  async #courseChanged(): Promise<void> {
    for (const [classId, live] of this.#live) {
      if (this.#store.classes.get(classId)) live.lessonsChanged(await this.#gates(classId))
    }
  }

  #dialogs(method: string): PackDialogs {
    if (this.#packDialogs) return this.#packDialogs
    throw new ApiError(
      'forbidden',
      `${method}: this host has no file dialog of its own; choose the file in the browser instead`,
      { reason: reason('desktop_only', { method }) }
    )
  }

  #exportInstalledPack(packId: string): { pack: ExportedPack; lessonIds: string[] } {
    const installed = installedPackSummaries(this.#packsDir).find((p) => p.packId === packId)
    if (!installed) throw packUnknown(packId)
    return { pack: exportInstalledPack(join(this.#packsDir, packId), packId), lessonIds: installed.lessons }
  }

  /** A pack lesson's slug is `<pack>/<folder>`; a lesson of the course's own is just its folder. */
  async #exportLessons(
    lessonIds: readonly string[],
    packId: string,
    title: string
  ): Promise<{ pack: ExportedPack; lessonIds: string[] }> {
    await this.#checkLessonIds(lessonIds, 'lessons')
    const course = await this.#courseLessons()
    const chosen = lessonIds.map((id) => course.find((l) => l.id === id)!)
    const sources = chosen.map((l): LessonSource => {
      const cut = l.slug.lastIndexOf('/')
      return cut < 0
        ? { root: this.#lessonsDir, dir: l.slug }
        : { root: join(this.#packsDir, l.slug.slice(0, cut)), dir: l.slug.slice(cut + 1) }
    })
    const pack = exportLessons(sources, {
      id: packId,
      title: { en: title, 'zh-CN': title },
      description: {
        en: chosen.map((l) => l.title.en).join(', '),
        'zh-CN': chosen.map((l) => l.title['zh-CN']).join('、')
      }
    })
    return { pack, lessonIds: [...lessonIds] }
  }

  #requireClass(classId: string): NonNullable<ReturnType<ProgressStore['classes']['get']>> {
    const cls = this.#store.classes.get(classId)
    if (!cls) {
      throw new ApiError('not_found', `classId: no class with id "${classId}"`, {
        reason: reason('class_unknown', { classId })
      })
    }
    return cls
  }

  /**
   * The open class a join code names, for a learner getting in from `address`: a wrong code
   * counts against that address, and an address with too many wrong ones is told to wait.
   */
  #openClassAt(
    code: string,
    address: string
  ): NonNullable<ReturnType<ProgressStore['classes']['openByCode']>> {
    const wait = this.#joins.retryAfter(address)
    if (wait !== null) throw new RateLimited(wait)
    const cls = this.#store.classes.openByCode(code)
    if (!cls) {
      this.#joins.failed(address)
      throw new ApiError(
        'not_found',
        `code: no open class has the join code ${code}; check it with your instructor`,
        { reason: reason('join_code_unknown', { code }) }
      )
    }
    return cls
  }

  async #joined(member: ClassMember, token: string): Promise<ClassroomOutput<'class:join'>> {
    const cls = this.#requireClass(member.classId)
    return {
      learnerToken: token,
      learnerId: member.learnerId,
      name: member.displayName,
      seatCode: member.seatCode,
      classId: cls.id,
      className: cls.name,
      ...(await this.#gates(cls.id))
    }
  }

  #buildHandlers(): ClassroomHandlers {
    const store = this.#store
    const summary = (
      cls: NonNullable<ReturnType<ProgressStore['classes']['get']>>
    ): ClassroomOutput<'class:close'> => ({
      classId: cls.id,
      name: cls.name,
      joinCode: cls.joinCode,
      status: cls.status,
      createdAt: new Date(cls.createdAt).toISOString(),
      closedAt: cls.closedAt === null ? null : new Date(cls.closedAt).toISOString(),
      learners: cls.learners
    })
    return {
      'class:start': async ({ name, lessons, newLessons, studentId }) => {
        if (lessons) await this.#checkLessonIds(lessons, 'lessons')
        const gates = (await this.#courseLessons())
          .filter((l) => l.available)
          .map((l): LessonGate => ({
            lessonId: l.id,
            state: !lessons || lessons.includes(l.id) ? 'enabled' : 'locked'
          }))
        for (let tries = 0; ; tries++) {
          try {
            const cls = store.classes.create({
              id: newClassId(),
              name,
              joinCode: newJoinCode(),
              lessons: gates,
              newLessons: newLessons ?? 'enabled',
              studentId: studentId ?? 'optional'
            })
            const joinUrl = `${this.origin}/#/join?code=${cls.joinCode}`
            return {
              classId: cls.id,
              name: cls.name,
              joinCode: cls.joinCode,
              joinUrl,
              qrText: joinUrl,
              instructorToken: this.instructorToken
            }
          } catch (error) {
            // A code collision among open classes: draw another.
            if (!(error instanceof StoreError && error.code === 'conflict') || tries >= 5) throw error
          }
        }
      },
      'class:close': ({ classId }) => {
        this.#requireClass(classId)
        const cls = store.classes.close(classId)
        this.#live.get(classId)?.classClosed()
        return summary(cls)
      },
      'class:delete': ({ classId }) => {
        const result = store.classes.delete(classId)
        this.#live.get(classId)?.classClosed()
        this.#live.delete(classId)
        return { classId, learnersDeleted: result.learnersDeleted }
      },
      'class:list': () => ({ classes: store.classes.list().map(summary) }),
      'class:dashboard': async ({ classId, anonymous }) => {
        this.#requireClass(classId)
        await this.#gates(classId)
        return this.#inCourse(this.#liveClass(classId).dashboard(anonymous ?? false))
      },
      'class:lessons': async ({ classId, lessons, newLessons }) => {
        this.#requireClass(classId)
        await this.#checkLessonIds(
          lessons.map((l: LessonGate) => l.lessonId),
          'lessons'
        )
        // Gates first, under the old state for new lessons, so changing it only affects lessons to come.
        await this.#gates(classId)
        if (newLessons) store.classes.setNewLessons(classId, newLessons)
        store.classes.setLessons(classId, lessons)
        const gates = await this.#gates(classId)
        this.#liveClass(classId).lessonsChanged(gates)
        return gates
      },
      'class:settings': ({ classId, studentId }) => {
        this.#requireClass(classId)
        return { studentId: store.classes.setStudentId(classId, studentId).studentId }
      },
      'class:report': async ({ classId, format, iriBase }) => {
        const cls = this.#requireClass(classId)
        const members = store.classes.members(classId)
        const day = new Date(this.#now()).toISOString().slice(0, 10)
        const slug = cls.name.replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '') || 'class'
        switch (format) {
          case 'csv': {
            const lessons = (await this.#gates(classId)).lessons.map((g) => ({
              id: g.lessonId,
              definition: this.#lessonDefinition(g.lessonId)
            }))
            return {
              fileName: `podnet-class-${slug}-${day}.csv`,
              mimeType: 'text/csv',
              content: classReportCsv({
                className: cls.name,
                classStartedAt: cls.createdAt,
                members,
                rows: store.classes.report(classId),
                lessons
              })
            }
          }
          case 'xapi':
            return {
              fileName: `podnet-class-${slug}-${day}-xapi.json`,
              mimeType: 'application/json',
              content: JSON.stringify(this.#statements(classId, 'class:report', iriBase), null, 2)
            }
          case 'difficulty':
            return {
              fileName: `podnet-class-${slug}-${day}-questions.csv`,
              mimeType: 'text/csv',
              content: difficultyCsv(this.#liveClass(classId).dashboard(true).questions)
            }
        }
      },
      'class:sendToLrs': async ({ classId, endpoint, username, password, iriBase }) => {
        const statements = this.#statements(classId, 'class:sendToLrs', iriBase)
        return sendToLrs({ endpoint, username, password }, statements)
      },
      'pack:import': ({ path }) => this.#importPack(path),
      'pack:upload': async ({ base64 }) => {
        mkdirSync(this.#packsDir, { recursive: true })
        // A dot name: the course never mistakes it for an installed pack.
        const upload = join(this.#packsDir, `.upload-${randomBytes(6).toString('hex')}.zip`)
        try {
          writeFileSync(upload, Buffer.from(base64, 'base64'))
          return await this.#importPack(upload)
        } finally {
          rmSync(upload, { force: true })
        }
      },
      'pack:pick': async (words) => {
        const path = await this.#dialogs('pack:pick').open(words)
        return { imported: path === null ? null : await this.#importPack(path) }
      },
      'pack:list': () => ({
        packs: installedPackSummaries(this.#packsDir),
        nativeDialogs: this.#packDialogs !== null
      }),
      'pack:export': async ({ packId, lessons, title, dialog }) => {
        const { pack, lessonIds } = lessons
          ? await this.#exportLessons(lessons, packId, title ?? packId)
          : this.#exportInstalledPack(packId)
        const file = { fileName: pack.fileName, mimeType: 'application/zip' as const, lessons: lessonIds }
        if (!dialog) return { ...file, base64: Buffer.from(pack.zip).toString('base64'), savedTo: null }
        const savedTo = await this.#dialogs('pack:export').save(dialog, pack.fileName)
        if (savedTo !== null) writeFileSync(savedTo, pack.zip)
        return { ...file, base64: '', savedTo }
      },
      'pack:remove': async ({ packId }) => {
        const lessonsRemoved = (await this.#courseLessons())
          .filter((l) => l.available && l.slug.startsWith(`${packId}/`))
          .map((l) => l.id)
        if (!removePack(this.#packsDir, packId)) throw packUnknown(packId)
        await this.#courseChanged()
        return { packId, lessonsRemoved }
      },
      'class:join': async ({ code, name, studentId }, { address }) => {
        const cls = this.#openClassAt(code, address)
        if (cls.studentId === 'required' && !studentId)
          throw new ApiError(
            'invalid_input',
            'studentId: this class asks every learner for their student ID; type it beside your name',
            { reason: reason('student_id_required', {}) }
          )
        const token = newLearnerToken()
        let member: ClassMember
        try {
          member = store.classes.join({
            classId: cls.id,
            displayName: name,
            studentId: studentId ?? '',
            tokenHash: hashToken(token),
            newSeatCode
          })
        } catch (error) {
          if (error instanceof StoreError && error.code === 'conflict') {
            throw new ApiError(
              'invalid_input',
              `name: ${error.message} Pick another name, or get back in with your seat code.`,
              { reason: reason('class_name_taken', { name }) }
            )
          }
          throw error
        }
        this.#liveClass(cls.id).joined(member)
        return this.#joined(member, token)
      },
      'class:reclaim': async ({ code, seatCode }, { address }) => {
        const cls = this.#openClassAt(code, address)
        const token = newLearnerToken()
        const member = store.classes.reclaimSeat({ classId: cls.id, seatCode, tokenHash: hashToken(token) })
        if (!member) {
          this.#joins.failed(address)
          throw new ApiError(
            'not_found',
            `seatCode: nobody in this class has the seat code ${seatCode}; check it, or ask your instructor to reset your seat`,
            { reason: reason('seat_code_unknown', { seatCode }) }
          )
        }
        this.#liveClass(cls.id).seen(member.learnerId)
        return this.#joined(member, token)
      },
      'class:resetSeat': ({ classId, learnerId }) => {
        this.#requireClass(classId)
        let member: ClassMember
        try {
          member = store.classes.resetSeat({
            classId,
            learnerId,
            tokenHash: hashToken(newLearnerToken()),
            newSeatCode
          })
        } catch (error) {
          if (error instanceof StoreError && error.code === 'not-found')
            throw new ApiError('not_found', `learnerId: no learner "${learnerId}" in this class`, {
              reason: reason('class_learner_unknown', { learnerId })
            })
          throw error
        }
        this.#liveClass(classId).seatReset(member)
        return { learnerId: member.learnerId, seatCode: member.seatCode }
      },
      'class:rejoin': async (_input, { caller }) => {
        if (caller.kind !== 'learner') throw learnerTokenNeeded('class:rejoin')
        this.#liveClass(caller.member.classId).seen(caller.member.learnerId)
        return this.#joined(caller.member, caller.token)
      },
      'class:heartbeat': (_input, { caller }) => {
        if (caller.kind !== 'learner') throw learnerTokenNeeded('class:heartbeat')
        this.#liveClass(caller.member.classId).seen(caller.member.learnerId)
        return { online: true as const }
      },
      'class:leave': (_input, { caller }) => {
        if (caller.kind !== 'learner') throw learnerTokenNeeded('class:leave')
        this.#liveClass(caller.member.classId).left(caller.member.learnerId)
        return { left: true as const }
      }
    }
  }
}

function packUnknown(packId: string): ApiError {
  return new ApiError('not_found', `packId: no installed lesson pack "${packId}"`, {
    reason: reason('pack_unknown', { packId })
  })
}

/** The learner's step as their call's answer shows it; null for calls that do not carry a lesson view. */
export function observedStep(method: string, value: unknown, body: unknown = null): ObservedStep | null {
  const out = record(value)
  if (!out) return null
  const session = record(method === 'lesson:send' ? out : out['session'])
  if (!session || typeof session['lessonId'] !== 'string' || typeof session['current'] !== 'string')
    return null
  const stepView = record(session['step'])
  const step: ObservedStep = {
    lessonId: session['lessonId'],
    stepId: session['current'],
    completed: session['completed'] === true,
    solved: stepSolved(stepView),
    ...lessonScore(record(session['score']))
  }
  if (method === 'shell:exec' && stepView?.['kind'] === 'task' && typeof out['exitCode'] === 'number') {
    const line = record(body)?.['line']
    step.taskCommand = {
      line: typeof line === 'string' ? line.trim().slice(0, 200) : '',
      exitCode: out['exitCode'],
      solved: stepView['solved'] === true
    }
  }
  return step
}

const record = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null

/** A step that asks nothing more of the learner; prose-only steps never count as solved. */
function stepSolved(view: Record<string, unknown> | null): boolean {
  switch (view?.['kind']) {
    case 'task':
      return view['solved'] === true
    case 'predict':
      return record(view['reveal']) !== null
    case 'quiz':
    case 'trace': {
      const questions = view['questions']
      return (
        Array.isArray(questions) &&
        questions.every((q) => {
          const gradings = record(q)?.['gradings']
          return Array.isArray(gradings) && gradings.some((g) => record(g)?.['finished'] === true)
        })
      )
    }
    default:
      return false
  }
}

/** The lesson's score so far as a share of its maximum, and whether that meets its pass mark. */
function lessonScore(score: Record<string, unknown> | null): {
  score: number | null
  passed: boolean | null
} {
  const points = score?.['score']
  const max = score?.['maxScore']
  const pass = score?.['passScore']
  if (typeof points !== 'number' || typeof max !== 'number' || max === 0) return { score: null, passed: null }
  const share = points / max
  return { score: share, passed: typeof pass === 'number' ? share >= pass : null }
}

/** A sandbox opened from a lesson is named after it (sandbox-host.ts): `lesson-<id>-<digest>`. */
const lessonSandboxId = /^lesson-([a-z0-9][a-z0-9-]*)-[0-9a-f]{12}$/

/** Every learner and lesson a call body names, wherever in the body it names them. */
export function namedIn(body: unknown): { learnerIds: string[]; lessonIds: string[] } {
  const learnerIds: string[] = []
  const lessonIds: string[] = []
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8 || typeof value !== 'object' || value === null) return
    for (const [key, field] of Object.entries(value)) {
      if (key === 'learnerId' && typeof field === 'string') learnerIds.push(field)
      else if (key === 'lessonId' && typeof field === 'string') lessonIds.push(field)
      else if (key === 'sandboxId' && typeof field === 'string') {
        const fromLesson = lessonSandboxId.exec(field)?.[1]
        if (fromLesson) lessonIds.push(fromLesson)
      } else visit(field, depth + 1)
    }
  }
  visit(body, 0)
  return { learnerIds, lessonIds }
}
