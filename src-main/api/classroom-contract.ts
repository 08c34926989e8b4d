import { z } from 'zod'
import { learnerIdSchema, lessonIdSchema, localizedSchema } from './contract.ts'

/**
 * The classroom API: an instructor runs a class on their machine, learners join it from any
 * browser on the LAN. Served by the web host beside the main contract (contract.ts) and checked
 * the same way (input and output validated, `{ok, value} | {ok:false, error}` envelope).
 *
 * ## Transport
 *
 * Every call is `POST /api/<method>` with a JSON body and, except `class:join`, the header
 * `Authorization: Bearer <token>`. Two kinds of token exist:
 *
 * - the **instructor token**: the host's own token, needed on loopback too, since any web page
 *   the user visits can send requests to 127.0.0.1. Class hosts and the single-user host alike
 *   keep it in `<data dir>/host-token` (0600) across restarts. The single-user host prints its link with
 *   `?token=…`; a class host writes its instructor link to `<data dir>/instructor-link` instead,
 *   never to the projected terminal. `class:start` returns it. It may call every method of both
 *   contracts, except the learner-scoped ones that would change a class learner's record.
 * - a **learner token** (`pnl_…`): returned by `class:join`. The renderer keeps it in
 *   `localStorage` (key `podnet.classroom`) so a browser refresh or a restart of the
 *   instructor's host continues where the learner was; send it with `class:rejoin` first.
 *   A learner token may call `class:rejoin`, `class:leave`, `app:info`, `lessons:list` and the
 *   learner-scoped methods of contract.ts listed in `learnerScopedMethods` below (lessons, the
 *   terminal, traces, the sandbox, their own progress, review and settings) with its own
 *   `learnerId` only. Anything else answers 403 `forbidden`.
 *
 * Status codes: no or unknown token → 401 `unauthorized` (also after the class was closed or
 * deleted: closing revokes every learner token); learner token on an instructor method or on
 * another learner's id → 403 `forbidden`; a locked lesson → 403 `lesson_locked`; too many failed
 * join attempts (wrong codes) from one address → 429 `rate_limited` with a `Retry-After` header (seconds);
 * oversized body → 413 `payload_too_large`.
 *
 * The live dashboard is the `class:events` stream (streams.ts), subscribed to with the
 * instructor's token on the page's one stream socket, `/api/streams`. Its first event is a
 * `snapshot` carrying `class:dashboard`'s full answer, later ones are `ClassEvent` deltas (apply
 * them, or subscribe again for a fresh snapshot).
 */

export const classroomMethodNames = [
  'class:start',
  'class:close',
  'class:delete',
  'class:list',
  'class:dashboard',
  'class:lessons',
  'class:settings',
  'class:report',
  'class:sendToLrs',
  'pack:import',
  'pack:upload',
  'pack:pick',
  'pack:list',
  'pack:export',
  'pack:remove',
  'class:join',
  'class:reclaim',
  'class:rejoin',
  'class:leave',
  'class:heartbeat',
  'class:resetSeat'
] as const

export type ClassroomMethodName = (typeof classroomMethodNames)[number]

export function isClassroomMethodName(name: string): name is ClassroomMethodName {
  return (classroomMethodNames as readonly string[]).includes(name)
}

/** Who may call a classroom method; the web host enforces it before the handler runs. */
export const classroomCaller: Record<ClassroomMethodName, 'instructor' | 'learner' | 'anyone'> = {
  'class:start': 'instructor',
  'class:close': 'instructor',
  'class:delete': 'instructor',
  'class:list': 'instructor',
  'class:dashboard': 'instructor',
  'class:lessons': 'instructor',
  'class:settings': 'instructor',
  'class:report': 'instructor',
  'class:sendToLrs': 'instructor',
  'pack:import': 'instructor',
  'pack:upload': 'instructor',
  'pack:pick': 'instructor',
  'pack:list': 'instructor',
  'pack:export': 'instructor',
  'pack:remove': 'instructor',
  'class:join': 'anyone',
  'class:reclaim': 'anyone',
  'class:rejoin': 'learner',
  'class:leave': 'learner',
  'class:heartbeat': 'learner',
  'class:resetSeat': 'instructor'
}

/**
 * Join codes: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L), so a code read
 * off a projector is typed right. Learners may type lower case; the host upper-cases.
 */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const JOIN_CODE_LENGTH = 6
export const joinCodeSchema = z
  .string()
  .trim()
  .transform((code) => code.toUpperCase())
  .pipe(
    z
      .string()
      .length(JOIN_CODE_LENGTH, `a join code has ${JOIN_CODE_LENGTH} characters`)
      .regex(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]+$/, 'a join code uses only the letters and digits shown')
  )

/** A learner's seat code: drawn like a join code, typed the same forgiving way. */
export const seatCodeSchema = z
  .string()
  .trim()
  .transform((code) => code.toUpperCase())
  .pipe(
    z
      .string()
      .length(JOIN_CODE_LENGTH, `a seat code has ${JOIN_CODE_LENGTH} characters`)
      .regex(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]+$/, 'a seat code uses only the letters and digits shown')
  )

export const classIdSchema = z
  .string()
  .regex(/^cls_[A-Za-z0-9_-]{8,40}$/, 'expected a class id such as cls_…')

/** What a learner types as their name in class; shown on the dashboard and in the report. */
export const classLearnerNameSchema = z.string().trim().min(1, 'enter your name').max(40)

/**
 * The "stuck" rule of the dashboard (docs/classroom.md). A learner is stuck on their current step
 * when any of these holds: on the step for `minutesOnStep` or longer; `failedAttempts` or more
 * failed attempts on the step (wrong answers, wrong predictions, task commands that exited
 * non-zero); `hintsUsed` or more hints on the step and still there after `hintMinutes`.
 * A completed lesson is never stuck.
 */
export const STUCK_RULE = { minutesOnStep: 6, failedAttempts: 3, hintsUsed: 2, hintMinutes: 2 } as const

export const lessonGateSchema = z.strictObject({
  lessonId: lessonIdSchema,
  /** `locked` lessons refuse `lesson:open` for learners with `lesson_locked`. */
  state: z.enum(['enabled', 'locked'])
})
export type LessonGate = z.output<typeof lessonGateSchema>

/** The state a lesson added to the course after the class started (a new lesson, a pack) takes. */
export const newLessonsSchema = z.enum(['enabled', 'locked'])

/** Whether joining the class asks for a student ID (`optional`) or insists on one (`required`). */
export const studentIdRuleSchema = z.enum(['optional', 'required'])

/** The department's ID for a learner, as typed at join; empty when none was given. */
export const studentIdSchema = z
  .string()
  .trim()
  .max(40, 'a student ID has at most 40 characters')
  .regex(/^[^\p{Cc}]*$/u, 'a student ID has no control characters')

export const classSummarySchema = z.strictObject({
  classId: classIdSchema,
  name: z.string(),
  joinCode: z.string(),
  status: z.enum(['open', 'closed']),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  learners: z.number().int()
})

const classJoinedSchema = z.strictObject({
  /** Keep it (localStorage) and send it as `Authorization: Bearer` on every call. */
  learnerToken: z.string(),
  /** The profile id to pass as `learnerId` to the lesson methods. */
  learnerId: learnerIdSchema,
  name: z.string(),
  /** With the join code, gets this learner back into their seat from any browser (`class:reclaim`). */
  seatCode: z.string(),
  classId: classIdSchema,
  className: z.string(),
  /** One gate per lesson of the course, in course order. */
  lessons: z.array(lessonGateSchema),
  /** The state of a lesson missing from `lessons` (added to the course since). */
  newLessons: newLessonsSchema
})

/**
 * `commands`: failed commands on a task step; `answers`: wrong answers or predictions;
 * `time`: long on the step; `hints`: hints used and still there.
 */
export const stuckReasonSchema = z.enum(['commands', 'answers', 'time', 'hints'])
export type StuckReason = z.output<typeof stuckReasonSchema>

export const learnerStateSchema = z.strictObject({
  learnerId: learnerIdSchema,
  name: z.string(),
  seatCode: z.string(),
  /** As typed at join; empty when none was given (and in the anonymised view). */
  studentId: z.string(),
  /** Their page is open: a call or heartbeat within SILENT_OFFLINE_MS. */
  online: z.boolean(),
  joinedAt: z.string(),
  lessonId: z.string().nullable(),
  stepId: z.string().nullable(),
  /** Whether the current lesson is completed. */
  completed: z.boolean(),
  stepSince: z.string().nullable(),
  /** Time on the current step while online and the step unsolved, as of `Dashboard.at`. */
  timeOnStepMs: z.number().int(),
  /** Set while that time still runs (online, step unsolved): when `timeOnStepMs` was measured. */
  timingSince: z.string().nullable(),
  /** The current step is solved (a task done, its questions finished): never stuck there. */
  stepSolved: z.boolean(),
  /** On the current step (see STUCK_RULE): wrong answers plus failed commands. */
  failedAttempts: z.number().int(),
  hintsUsed: z.number().int(),
  stuck: z.boolean(),
  /** Which clauses of STUCK_RULE made the learner stuck. */
  stuckReasons: z.array(stuckReasonSchema),
  /** The last thing that went wrong on the current step, for the instructor to walk over with. */
  lastFailure: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('command'), command: z.string(), exitCode: z.number().int() }),
      z.strictObject({
        kind: z.literal('answer'),
        questionId: z.string(),
        answer: z.string(),
        /** The reason option picked with a wrong prediction that asks why. */
        justification: z.string().nullable()
      })
    ])
    .nullable(),
  lessonsCompleted: z.number().int(),
  /** The lessons counted in `lessonsCompleted`, so a view can say who finished a given lesson. */
  completedLessons: z.array(z.string()),
  /** The current lesson's score (0..1) and pass flag; null until something was graded. */
  score: z.number().nullable(),
  passed: z.boolean().nullable()
})
export type LearnerState = z.output<typeof learnerStateSchema>

export const answerCountSchema = z.strictObject({
  /** The answer as JSON text (`["b"]`, `42`, `"accept"`), so equal answers group together. */
  answer: z.string(),
  correct: z.boolean(),
  count: z.number().int(),
  /** Names of who chose it; left out (empty) in the anonymised view for projecting. */
  learners: z.array(z.string())
})

export const questionStatsSchema = z.strictObject({
  lessonId: z.string(),
  questionId: z.string(),
  kind: z.enum(['quiz', 'prediction']),
  /** Learners who answered at least once. */
  answered: z.number().int(),
  /** Share of learners right on their first attempt (0..1), null before anyone answered. */
  firstAttemptCorrect: z.number().nullable(),
  /** Each learner's latest answer, grouped: where the room stands now. */
  answers: z.array(answerCountSchema),
  /** Each learner's first answer, grouped: what the room thought before feedback. */
  firstAnswers: z.array(answerCountSchema)
})
export type QuestionStats = z.output<typeof questionStatsSchema>

export const dashboardSchema = z.strictObject({
  classId: classIdSchema,
  name: z.string(),
  status: z.enum(['open', 'closed']),
  joinCode: z.string(),
  at: z.string(),
  /** Empty in the anonymised view. */
  learners: z.array(learnerStateSchema),
  stuckCount: z.number().int(),
  questions: z.array(questionStatsSchema),
  /** One gate per lesson of the course, in course order. */
  lessons: z.array(lessonGateSchema),
  newLessons: newLessonsSchema,
  studentId: studentIdRuleSchema
})
export type Dashboard = z.output<typeof dashboardSchema>

/** Server-pushed dashboard events (`event:` line = `type`). */
export const classEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('snapshot'), dashboard: dashboardSchema }),
  z.strictObject({
    type: z.literal('learner-joined'),
    at: z.string(),
    learnerId: learnerIdSchema,
    name: z.string(),
    seatCode: z.string()
  }),
  z.strictObject({
    type: z.literal('learner-left'),
    at: z.string(),
    learnerId: learnerIdSchema,
    name: z.string()
  }),
  z.strictObject({
    type: z.literal('step-changed'),
    at: z.string(),
    learnerId: learnerIdSchema,
    lessonId: z.string(),
    stepId: z.string(),
    completed: z.boolean()
  }),
  z.strictObject({
    type: z.literal('attempt'),
    at: z.string(),
    learnerId: learnerIdSchema,
    lessonId: z.string(),
    stepId: z.string(),
    questionId: z.string(),
    kind: z.enum(['quiz', 'prediction']),
    /** The answer as JSON text, as in `answerCountSchema.answer`. */
    answer: z.string(),
    /** The reason option picked with a prediction that asks why; null otherwise. */
    justification: z.string().nullable(),
    correct: z.boolean(),
    attemptNo: z.number().int()
  }),
  z.strictObject({
    type: z.literal('hint-used'),
    at: z.string(),
    learnerId: learnerIdSchema,
    lessonId: z.string(),
    stepId: z.string(),
    kind: z.enum(['static', 'dynamic', 'solution'])
  }),
  z.strictObject({
    type: z.literal('task-failed'),
    at: z.string(),
    learnerId: learnerIdSchema,
    lessonId: z.string(),
    stepId: z.string(),
    exitCode: z.number().int()
  }),
  /** A question's distribution after an answer to it. */
  z.strictObject({ type: z.literal('question-stats'), at: z.string(), question: questionStatsSchema }),
  /** A learner's stuck flag turned on or off; the full state rides along. */
  z.strictObject({ type: z.literal('learner-state'), at: z.string(), learner: learnerStateSchema }),
  z.strictObject({
    type: z.literal('lessons-changed'),
    at: z.string(),
    lessons: z.array(lessonGateSchema),
    newLessons: newLessonsSchema
  }),
  z.strictObject({ type: z.literal('class-closed'), at: z.string() })
])
export type ClassEvent = z.output<typeof classEventSchema>

const classRef = z.strictObject({ classId: classIdSchema })

const packImportedSchema = z.strictObject({
  ok: z.boolean(),
  packId: z.string().nullable(),
  lessons: z.array(z.strictObject({ dir: z.string(), id: z.string().nullable(), ok: z.boolean() })),
  /** The checker's messages (`file: path: reason`); empty when ok. */
  problems: z.array(z.string())
})

/** A pack's id: the `id` of its index.yaml, and its folder under `<data dir>/packs/`. */
const packIdSchema = z
  .string()
  .max(80)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a kebab-case pack id such as workshop-extras')

/**
 * Base64 of a 6 MiB archive: the upload has to fit the host's 9 MiB request limit. Lesson packs
 * are text, so even a large course is far below it; bigger ones import from a path or the dialog.
 */
const PACK_UPLOAD_BASE64_MAX = 8 * 1024 * 1024

/** What a native file dialog says, in the instructor's language. */
const packDialogWords = z.strictObject({
  title: z.string().trim().min(1).max(120),
  /** The name of the `.zip` file type in the dialog's filter. */
  fileType: z.string().trim().min(1).max(120)
})

export const classroomContract = {
  /**
   * Instructor. Opens a class with a gate for every lesson of the course: the lessons in
   * `lessons` (ids) enabled and the others locked; `lessons` omitted = every lesson enabled.
   * `newLessons` (default `enabled`) is the state of lessons added to the course later. `joinUrl` is `<host origin>/#/join?code=<joinCode>` — the
   * learner join page; `qrText` is the text to encode in the QR code (the same URL).
   * `instructorToken` is the host's token, the one the instructor calls with; null only from a
   * classroom no web host serves, since the host hands the classroom its token when it starts.
   */
  'class:start': {
    input: z.strictObject({
      name: z.string().trim().min(1, 'a class needs a name').max(80),
      lessons: z.array(lessonIdSchema).max(200).optional(),
      newLessons: newLessonsSchema.optional(),
      /** Default `optional`: the join form offers the field, the learner may leave it empty. */
      studentId: studentIdRuleSchema.optional()
    }),
    output: z.strictObject({
      classId: classIdSchema,
      name: z.string(),
      joinCode: z.string(),
      joinUrl: z.string(),
      qrText: z.string(),
      instructorToken: z.string().nullable()
    })
  },
  /** Instructor. Closes the class: every learner token of it answers 401 from now on. Data stays. */
  'class:close': { input: classRef, output: classSummarySchema },
  /** Instructor. Deletes the class and all its learners' profiles and progress. */
  'class:delete': {
    input: classRef,
    output: z.strictObject({ classId: classIdSchema, learnersDeleted: z.number().int() })
  },
  /** Instructor. Every class on this machine, newest first. */
  'class:list': {
    input: z.strictObject({}),
    output: z.strictObject({ classes: z.array(classSummarySchema) })
  },
  /**
   * Instructor. The dashboard snapshot. `anonymous: true` leaves out learners and names (for
   * projecting the answer distribution).
   */
  'class:dashboard': {
    input: z.strictObject({ classId: classIdSchema, anonymous: z.boolean().optional() }),
    output: dashboardSchema
  },
  /**
   * Instructor. Sets the gates of the listed lessons, enabled or locked; every other lesson keeps
   * its state. `newLessons`, when given, changes the state lessons added to the course later take
   * (lessons already in the course keep theirs). Answers every gate in course order. Unlocking
   * during the workshop takes effect on the learner's next call.
   */
  'class:lessons': {
    input: z.strictObject({
      classId: classIdSchema,
      lessons: z.array(lessonGateSchema).max(200),
      newLessons: newLessonsSchema.optional()
    }),
    output: z.strictObject({ lessons: z.array(lessonGateSchema), newLessons: newLessonsSchema })
  },
  /** Instructor. Whether joining asks for a student ID or insists on one; learners already in keep theirs. */
  'class:settings': {
    input: z.strictObject({ classId: classIdSchema, studentId: studentIdRuleSchema }),
    output: z.strictObject({ studentId: studentIdRuleSchema })
  },
  /**
   * Instructor. The class report as a file to save: `csv` = one row per learner × lesson
   * (status, score, time, hints); `xapi` = xAPI 1.0.3 statements (JSON array);
   * `difficulty` = per-question CSV (share correct on first attempt).
   */
  'class:report': {
    input: z.strictObject({
      classId: classIdSchema,
      format: z.enum(['csv', 'xapi', 'difficulty']),
      /** Base IRI for xAPI activity ids (the course's site). */
      iriBase: z.url().max(300).optional()
    }),
    output: z.strictObject({ fileName: z.string(), mimeType: z.string(), content: z.string() })
  },
  /**
   * Instructor. Sends the class's xAPI statements to an LRS: `POST <endpoint>/statements` with
   * Basic credentials and `X-Experience-API-Version: 1.0.3`. Credentials are used for this call
   * only, never stored.
   */
  'class:sendToLrs': {
    input: z.strictObject({
      classId: classIdSchema,
      endpoint: z
        .url({ protocol: /^https?$/, error: 'expected the LRS endpoint as an http(s) URL' })
        .max(500),
      username: z.string().max(200),
      password: z.string().max(500),
      iriBase: z.url().max(300).optional()
    }),
    output: z.strictObject({ sent: z.number().int(), status: z.number().int() })
  },
  /**
   * Instructor. Imports a lesson pack — a folder or a `.zip` on this machine holding an
   * `index.yaml` and lesson folders — checked like `podnet lessons check`. All or nothing: a pack
   * with any problem is refused with the checker's messages and nothing is installed.
   */
  'pack:import': {
    input: z.strictObject({ path: z.string().min(1).max(4096) }),
    output: packImportedSchema
  },
  /**
   * Instructor. Imports a `.zip` lesson pack sent from the instructor's browser (a file input),
   * checked and installed like `pack:import`. Its size is bounded by the host's request limit.
   */
  'pack:upload': {
    input: z.strictObject({
      fileName: z.string().min(1).max(255),
      /** The archive's bytes, base64. */
      base64: z.base64('expected the file as base64').min(1).max(PACK_UPLOAD_BASE64_MAX)
    }),
    output: packImportedSchema
  },
  /**
   * Instructor. Asks the host machine's own file dialog (the desktop app's) for a pack and imports
   * it like `pack:import`; `imported` is null when the instructor cancelled. Hosts without a native
   * dialog (`pack:list`'s `nativeDialogs` false) refuse it with `desktop_only`. The dialog's words
   * come from the caller, in the instructor's language.
   */
  'pack:pick': {
    input: packDialogWords,
    output: z.strictObject({ imported: packImportedSchema.nullable() })
  },
  /** Instructor. The installed packs, in name order, and whether this host has native file dialogs. */
  'pack:list': {
    input: z.strictObject({}),
    output: z.strictObject({
      packs: z.array(
        z.strictObject({ packId: z.string(), title: localizedSchema, lessons: z.array(z.string()) })
      ),
      nativeDialogs: z.boolean()
    })
  },
  /**
   * Instructor. A lesson pack in the format `pack:import` reads: the installed pack `packId` as it
   * is, or, with `lessons`, those lessons of the course (in the order given) as a new pack with the
   * id `packId` and `title`. `saveWith: 'dialog'` saves it through the host machine's save dialog
   * (`savedTo`, null when cancelled; `base64` empty); otherwise `base64` carries the archive.
   */
  'pack:export': {
    input: z.strictObject({
      packId: packIdSchema,
      lessons: z.array(lessonIdSchema).min(1).max(200).optional(),
      title: z.string().trim().min(1).max(120).optional(),
      saveWith: z.enum(['download', 'dialog']).optional(),
      dialog: packDialogWords.optional()
    }),
    output: z.strictObject({
      fileName: z.string(),
      mimeType: z.literal('application/zip'),
      base64: z.string(),
      savedTo: z.string().nullable(),
      lessons: z.array(z.string())
    })
  },
  /**
   * Instructor. Uninstalls an imported pack: its lessons leave the course (and every class's gate
   * list); learners' records of them stay, and come back with the pack if it is imported again.
   */
  'pack:remove': {
    input: z.strictObject({ packId: packIdSchema }),
    output: z.strictObject({ packId: z.string(), lessonsRemoved: z.array(z.string()) })
  },
  /**
   * Anyone (no token). Joins an open class by its code. Failed attempts are limited per address
   * (10 a minute by default); successful joins never count.
   * The same name twice in one class is refused: its holder gets back in with `class:reclaim`.
   * A class whose `studentId` rule is `required` refuses an empty `studentId`
   * (`student_id_required`).
   */
  'class:join': {
    input: z.strictObject({
      code: joinCodeSchema,
      name: classLearnerNameSchema,
      studentId: studentIdSchema.optional()
    }),
    output: classJoinedSchema
  },
  /**
   * Anyone (failures limited like `class:join`'s). The join code and a learner's seat code get that
   * learner back into their seat, name and record from any browser, with a new token; the token
   * the seat had before stops working.
   */
  'class:reclaim': {
    input: z.strictObject({ code: joinCodeSchema, seatCode: seatCodeSchema }),
    output: classJoinedSchema
  },
  /**
   * Learner token. Who am I: the same answer as `class:join` (with the same token), so a page
   * reload or a restarted host resumes. 401 once the class was closed.
   */
  'class:rejoin': { input: z.strictObject({}), output: classJoinedSchema },
  /** Learner token. Every open learner page sends it each HEARTBEAT_MS: the dashboard shows them online. */
  'class:heartbeat': { input: z.strictObject({}), output: z.strictObject({ online: z.literal(true) }) },
  /** Learner token. Marks the learner as left (the dashboard shows it); the token stays valid. */
  'class:leave': { input: z.strictObject({}), output: z.strictObject({ left: z.literal(true) }) },
  /**
   * Instructor. Gives a learner a new seat code and signs every browser out of the seat (its
   * token stops working); the name and the record stay. For a seat code seen by someone else.
   */
  'class:resetSeat': {
    input: z.strictObject({ classId: classIdSchema, learnerId: learnerIdSchema }),
    output: z.strictObject({ learnerId: learnerIdSchema, seatCode: z.string() })
  }
} as const satisfies Record<ClassroomMethodName, { input: z.ZodType; output: z.ZodType }>

export type ClassroomContract = typeof classroomContract
export type ClassroomInput<M extends ClassroomMethodName> = z.input<ClassroomContract[M]['input']>
export type ClassroomOutput<M extends ClassroomMethodName> = z.output<ClassroomContract[M]['output']>

/** The renderer's typed client for the classroom methods (errors re-thrown, values unwrapped). */
export type ClassroomApi = {
  [M in ClassroomMethodName]: (input: ClassroomInput<M>) => Promise<ClassroomOutput<M>>
}

/** Which main-contract methods a learner token may call (always with its own `learnerId`). */
export const learnerScopedMethods = [
  'lesson:open',
  'lesson:send',
  'lesson:step',
  'lesson:reset',
  'quiz:submit',
  'shell:exec',
  'shell:complete',
  'trace:run',
  'trace:pcap',
  'trace:capturePoints',
  'sandbox:open',
  'sandbox:exec',
  'sandbox:trace',
  'sandbox:topology',
  'sandbox:diagram',
  'sandbox:inspect',
  'sandbox:reset',
  'lab:terminalInput',
  'lab:terminalInterrupt',
  'lab:topology',
  'lab:diagram',
  'lab:inspect',
  'progress:summary',
  'progress:export',
  'review:due',
  'review:answer',
  'settings:get',
  'settings:set'
] as const

/** Main-contract methods without a learner id that a learner token may call. */
export const learnerOpenMethods = ['app:info', 'lessons:list'] as const
