import { z } from 'zod'
import type { Trace } from '../core/engine/trace.ts'
import type { TraceStory } from '../labs/protocol.ts'
import { classHostContract } from './class-host-contract.ts'
import { ADDRESS_FIELDS, idSchema } from '../core/lesson/lesson.schema.ts'
import { answerSchema, publicQuestionSchema } from '../core/lesson/quiz.ts'
import { SCENARIO_LIMITS } from '../core/scenario/scenario.schema.ts'
import { formatSize } from '../core/shell/limits.ts'
import type { Envelope } from './envelope.ts'
import { diagramSchema } from './diagram.ts'
import { topologySchema } from './topology.ts'
import {
  gradingSchema,
  learnerEventSchema,
  lessonSessionViewSchema,
  stepViewSchema
} from './lesson-view.schema.ts'
import type { MethodName } from './method-names.ts'

/**
 * The one API contract. Both transports (Electron IPC and the web host's `POST /api/<method>`)
 * validate input and output against these schemas, and the renderer's client types derive from
 * them, so a method cannot drift between main, preload, web host and renderer.
 */

export const localeSchema = z.enum(['en', 'zh-CN'])
export type Locale = z.output<typeof localeSchema>

/** A string in both of the app's languages. */
export const localizedSchema = z.strictObject({ en: z.string(), 'zh-CN': z.string() })

/** Opaque learner (profile) id as the store issues it. */
export const learnerIdSchema = z.string().min(1).max(64)
/** Stable kebab-case lesson id from lesson.yaml, never a position. */
export const lessonIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a kebab-case lesson id such as pods-on-one-node')
  .max(80)

const empty = z.strictObject({})

const profileNameSchema = z.string().trim().min(1, 'a profile needs a name').max(60)

export const profileSchema = z.strictObject({
  id: learnerIdSchema,
  name: z.string(),
  createdAt: z.string()
})

export const settingsSchema = z.strictObject({
  /** null until the learner has chosen (the app asks at first run). */
  locale: localeSchema.nullable(),
  /** `system` follows the OS's light/dark preference. */
  theme: z.enum(['system', 'light', 'dark', 'high-contrast']),
  fontScale: z.number().min(0.75).max(2),
  reducedMotion: z.boolean()
})
export type Settings = z.output<typeof settingsSchema>

/**
 * Estimated minutes to complete a lesson, per locale, computed from its content
 * (core/lesson/estimate.ts): reading takes a different time in each language. 0 for a lesson
 * that did not load.
 */
export const lessonMinutesSchema = z.strictObject({
  en: z.number().int().min(0),
  'zh-CN': z.number().int().min(0)
})

export const lessonStatusSchema = z.enum(['not-started', 'in-progress', 'completed'])

/** Where an unfinished lesson resumes: step `n` (from 1) of its `of` steps, and that step's title. */
export const stepPositionSchema = z.strictObject({
  n: z.number().int().min(1),
  of: z.number().int().min(1),
  title: localizedSchema
})

export const lessonSummarySchema = z.strictObject({
  id: z.string(),
  /** Folder name under lessons/, e.g. `00-tour`. */
  slug: z.string(),
  title: localizedSchema,
  /** One or two sentences on what the lesson does; empty when the lesson failed validation. */
  summary: localizedSchema,
  minutes: lessonMinutesSchema,
  topics: z.array(z.string()),
  /** False when the lesson failed validation; `problems` then says why (for authors). */
  available: z.boolean(),
  problems: z.array(z.string()),
  /** The asking learner's progress; null when no learner asked. */
  progress: z
    .strictObject({
      status: lessonStatusSchema,
      /** 0..1, null until graded. */
      score: z.number().min(0).max(1).nullable(),
      /** Set while the lesson is in progress. */
      step: stepPositionSchema.nullable(),
      /** When the learner last opened it or saved a step in it; null when never. */
      lastActiveAt: z.string().nullable()
    })
    .nullable()
})

/**
 * A step as the class dashboard names it: its title, and what it asks in the order the learner
 * meets it — quiz questions as the learner sees them (no key), or what its prediction is about.
 */
export const stepOutlineSchema = z.strictObject({
  id: z.string(),
  title: localizedSchema,
  questions: z.array(publicQuestionSchema),
  /** A predict step's question (its id is the step's); `options` empty where the learner types it. */
  prediction: z
    .strictObject({
      what: z.enum(['verdict', 'drop-stage', 'arriving-ttl', 'next-device', 'address-owner', 'kube-sep']),
      options: z.array(z.string()),
      /** The device a `next-device` question starts from. */
      after: z.string().nullable(),
      /** The device and header field an `address-owner` question asks about. */
      at: z.string().nullable(),
      field: z.enum(ADDRESS_FIELDS).nullable(),
      /** The reasons a prediction that asks why offers (no key); empty when it asks none. */
      reasons: z.array(z.strictObject({ id: z.string(), text: localizedSchema }))
    })
    .nullable()
})

export const lessonOutlineSchema = z.strictObject({
  id: z.string(),
  title: localizedSchema,
  steps: z.array(stepOutlineSchema)
})
export type LessonOutline = z.output<typeof lessonOutlineSchema>

/**
 * An opened lesson. Its steps' prose is not here: each step's text comes with the step (the
 * session view's `body`, `lesson:step` for re-reading), since a later step's text may state an
 * earlier question's answer. The outline is the session view's `steps`.
 */
export const lessonViewSchema = z.strictObject({
  id: z.string(),
  title: localizedSchema,
  minutes: lessonMinutesSchema,
  /** Where the learner is: resumed from the store, keys stripped. */
  session: lessonSessionViewSchema,
  /**
   * The prose of every step already reached (done, or the current one) by step id: what the
   * learner has read, so the renderer links a glossary term only where the lesson first used it.
   * Steps not reached stay out, as in `session.body`.
   */
  reachedBodies: z.record(z.string(), localizedSchema),
  /** The lab as `lab:topology` draws it, so opening a lesson is one round trip. */
  topology: topologySchema
})

/** Which open lesson a call acts on. */
const lessonRef = { learnerId: learnerIdSchema, lessonId: lessonIdSchema }

/** A shell target as the scenario names it: node, pod, pod/container or external host. */
export const targetNameSchema = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/,
    'expected a node, pod or pod/container name such as web-1/app'
  )

/**
 * A packet trace (core/engine/trace.ts documents every field). Checked loosely here: it is built
 * by the engine, carries no secrets, and its hop details vary by kernel stage.
 */
const traceShape = z.looseObject({
  hops: z.array(z.looseObject({ seq: z.number(), leg: z.string(), netns: z.string(), stage: z.string() })),
  outcome: z.looseObject({ kind: z.string() })
})
const traceSchema = z.custom<Trace>((value) => traceShape.safeParse(value).success, 'not a packet trace')

/**
 * A trace's device-level story (core/diagram/summary.ts) and each hop's place on the diagram
 * (core/diagram/place.ts): computed by the core beside the lab, checked loosely like the trace.
 */
const storyShape = z.looseObject({
  summary: z.looseObject({
    rows: z.array(
      z.looseObject({ leg: z.string(), device: z.string(), event: z.looseObject({ kind: z.string() }) })
    )
  }),
  placements: z.array(z.looseObject({}))
})
const traceStorySchema = z.custom<TraceStory>(
  (value) => storyShape.safeParse(value).success,
  'not a trace story'
)

/** A packet to send: from a target, to an address or a pod, node or host name. */
const traceRequestSchema = z
  .strictObject({
    from: targetNameSchema,
    to: z.string().min(1).max(120),
    protocol: z.enum(['icmp', 'tcp', 'udp']),
    port: z.number().int().min(1).max(65535).optional(),
    /**
     * TCP only: how much of a connection is walked. `http` (the default for TCP) is the whole
     * connection as curl makes it — handshake, the request, the answer, the close; `handshake`
     * stops at the SYN-ACK (or the RST).
     */
    connection: z.enum(['handshake', 'http']).optional()
  })
  .refine((t) => t.connection === undefined || t.protocol === 'tcp', {
    message: 'connection applies to protocol tcp only',
    path: ['connection']
  })

/** An interface as `netns/device`, as the lab's object ids name it (`node-1/cni0`). */
const capturePointSchema = z
  .string()
  .max(120)
  .regex(/^[^/\s]+\/[^/\s]+$/, 'expected an interface as netns/device, e.g. node-1/cni0')

const capturePointOutputSchema = z.strictObject({
  /** `netns/device`, the name `trace:pcap` takes and the pcapng's `if_name`. */
  id: z.string(),
  netns: z.string(),
  device: z.string(),
  /** How many of the trace's frames this interface saw. */
  frames: z.number().int()
})

/** A free-play sandbox's id, as `sandbox:open` issued it. */
export const sandboxIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a sandbox id as sandbox:open returned it')
  .max(120)
const sandboxRef = { learnerId: learnerIdSchema, sandboxId: sandboxIdSchema }

/** A live terminal, as the `lab:terminal` stream's first event names it. */
export const terminalIdSchema = z.uuid()

/** The lab a call acts on: an open lesson's, or a free-play sandbox. */
export const labRefSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lesson'), lessonId: lessonIdSchema }),
  z.strictObject({ kind: z.literal('sandbox'), sandboxId: sandboxIdSchema })
])

const execOutput = {
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().int(),
  /**
   * Present when the lab stopped the command (over its CPU budget or memory): it left no trace
   * in the lab and will not be replayed; the terminal says so in the learner's language.
   */
  stopped: z
    .strictObject({ afterMs: z.number().int(), reason: z.enum(['budget', 'memory', 'crash']) })
    .optional(),
  /**
   * Present when the line asked for a tool this shell lacks but other shells of the lab have
   * (kubectl in a pod): the terminal names them in the learner's language, apart from the output.
   */
  elsewhere: z
    .strictObject({ command: z.string().max(64), targets: z.array(targetNameSchema).min(1).max(200) })
    .optional()
}
const inspectOutput = z.strictObject({
  objectId: z.string(),
  sections: z.array(z.strictObject({ on: z.string(), command: z.string(), output: z.string() }))
})

export const lessonProgressSchema = z.strictObject({
  lessonId: z.string(),
  status: z.enum(['not-started', 'in-progress', 'completed']),
  openedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  /** 0..1, null until something was graded. */
  score: z.number().min(0).max(1).nullable(),
  /** Set while the lesson is in progress. */
  step: stepPositionSchema.nullable()
})

/** Mastery of one topic tag: the mean first-attempt score over the questions of its lessons. */
export const topicMasterySchema = z.strictObject({
  id: z.string(),
  /** The name index.yaml gives the tag, or the tag itself in both locales. */
  title: localizedSchema,
  /** 0..1, null while no question of the topic has been answered. */
  mastery: z.number().min(0).max(1).nullable(),
  /** First attempts counted. */
  questions: z.number().int().min(0)
})

export const storeNoticeSchema = z.strictObject({
  /**
   * `set-aside`: the file was unusable and moved to `movedTo`, a fresh store started;
   * `newer-version`: a newer Podnet Lab wrote it, it was left untouched and nothing is saved;
   * `unavailable`: it cannot be opened (read-only, locked, I/O) and nothing is saved.
   */
  kind: z.enum(['set-aside', 'newer-version', 'unavailable']),
  /** Why the store could not be used as it was. */
  reason: z.string(),
  /** Where the damaged file was moved, so nothing is lost for good; null unless `set-aside`. */
  movedTo: z.string().nullable()
})

interface MethodSpec {
  input: z.ZodType
  output: z.ZodType
}

export const contract = {
  ...classHostContract,
  'app:info': {
    input: empty,
    output: z.strictObject({
      version: z.string(),
      /** Set when a damaged progress store was set aside at start; the UI tells the learner. */
      storeNotice: storeNoticeSchema.nullable(),
      /** How long one command or trace may run before the lab stops it (the About page says so). */
      labBudgetMs: z.number().int().positive()
    })
  },
  'lessons:list': {
    /** With a learner, each lesson carries that learner's status and score. */
    input: z.strictObject({ learnerId: learnerIdSchema.optional() }),
    output: z.strictObject({
      courseTitle: localizedSchema,
      lessons: z.array(lessonSummarySchema)
    })
  },
  /**
   * Instructor. Every available lesson in course order with its steps and questions, so a class
   * dashboard names lessons, steps, questions and answers as learners saw them.
   */
  'lessons:outline': {
    input: empty,
    output: z.strictObject({ lessons: z.array(lessonOutlineSchema) })
  },
  'lesson:open': {
    input: z.strictObject({ learnerId: learnerIdSchema, lessonId: lessonIdSchema }),
    output: lessonViewSchema
  },
  'lesson:send': {
    input: z.strictObject({ ...lessonRef, event: learnerEventSchema }),
    output: lessonSessionViewSchema
  },
  'lesson:step': {
    /**
     * Read-only: a step the learner has reached (finished, or the current one) as it stands, with
     * the answers given and what they revealed, for re-reading it. The lesson does not move. A
     * step not reached yet is not_found, like an unknown one.
     */
    input: z.strictObject({ ...lessonRef, stepId: idSchema.max(80) }),
    output: z.strictObject({
      stepId: z.string(),
      step: stepViewSchema,
      /** The step's prose, Markdown, per locale. Rendered with raw HTML escaped. */
      body: localizedSchema
    })
  },
  'lesson:reset': {
    /**
     * `lab`: rebuild the lesson's scenario, forgetting every change; `step`: undo only the changes
     * made since the current step began. Answers, predictions and completed steps are kept.
     */
    input: z.strictObject({ ...lessonRef, scope: z.enum(['lab', 'step']) }),
    output: lessonSessionViewSchema
  },
  'quiz:submit': {
    input: z.strictObject({ ...lessonRef, questionId: z.string().min(1).max(80), answer: answerSchema }),
    output: z.strictObject({
      /** The grading of this attempt: per-option feedback; the explanation and key once finished. */
      grading: gradingSchema.nullable(),
      session: lessonSessionViewSchema
    })
  },
  'shell:exec': {
    input: z.strictObject({ ...lessonRef, on: targetNameSchema, line: z.string().max(4000) }),
    output: z.strictObject({ ...execOutput, session: lessonSessionViewSchema })
  },
  'shell:complete': {
    /** Tab completion of the word ending at `cursor`, from the lab's command registry and names. */
    input: z.strictObject({
      learnerId: learnerIdSchema,
      lab: labRefSchema,
      on: targetNameSchema,
      line: z.string().max(4000),
      cursor: z.number().int().min(0).max(4000)
    }),
    output: z.strictObject({
      line: z.string(),
      cursor: z.number().int(),
      /** Every match when several remain; empty when the line was completed (or nothing matched). */
      candidates: z.array(z.string())
    })
  },
  'trace:run': {
    input: z.strictObject({ ...lessonRef, trace: traceRequestSchema }),
    /** `traceId` names the trace for `trace:pcap`. */
    output: z.strictObject({
      trace: traceSchema,
      traceId: z.number().int(),
      story: traceStorySchema,
      session: lessonSessionViewSchema
    })
  },
  'trace:pcap': {
    /**
     * A trace the lab ran (by `traceId`) as a capture file of the frames its walk put on the
     * wire: one interface's as libpcap (`capture: {format: 'pcap', point}`, a point as
     * `trace:capturePoints` lists it), or every interface's as one pcapng, the default.
     */
    input: z.strictObject({
      learnerId: learnerIdSchema,
      lab: labRefSchema,
      traceId: z.number().int().min(1),
      capture: z
        .discriminatedUnion('format', [
          z.strictObject({ format: z.literal('pcap'), point: capturePointSchema }),
          z.strictObject({ format: z.literal('pcapng') })
        ])
        .optional()
    }),
    output: z.strictObject({ fileName: z.string(), mimeType: z.string(), base64: z.string() })
  },
  'trace:capturePoints': {
    /** The interfaces a trace crossed, in the order its packet first reached them. */
    input: z.strictObject({
      learnerId: learnerIdSchema,
      lab: labRefSchema,
      traceId: z.number().int().min(1)
    }),
    output: z.strictObject({ points: z.array(capturePointOutputSchema) })
  },
  'sandbox:open': {
    /** A course lesson's scenario, or the text of the learner's own scenario file (validated). */
    input: z.strictObject({
      learnerId: learnerIdSchema,
      source: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('lesson'), lessonId: lessonIdSchema }),
        z.strictObject({
          kind: z.literal('file'),
          fileName: z.string().trim().min(1, 'the file needs a name').max(200),
          // The limit every scenario has (the parser measures UTF-8 bytes exactly); the length
          // checked here is never more than those bytes, so this refuses no file the parser takes.
          content: z
            .string()
            .min(1, 'the scenario file is empty')
            .max(SCENARIO_LIMITS.bytes, `a scenario file may be at most ${formatSize(SCENARIO_LIMITS.bytes)}`)
        })
      ])
    }),
    output: z.strictObject({ sandboxId: sandboxIdSchema, title: localizedSchema })
  },
  'sandbox:exec': {
    input: z.strictObject({ ...sandboxRef, on: targetNameSchema, line: z.string().max(4000) }),
    output: z.strictObject(execOutput)
  },
  'sandbox:trace': {
    input: z.strictObject({ ...sandboxRef, trace: traceRequestSchema }),
    output: z.strictObject({ trace: traceSchema, traceId: z.number().int(), story: traceStorySchema })
  },
  'sandbox:topology': {
    input: z.strictObject(sandboxRef),
    output: topologySchema
  },
  'sandbox:diagram': {
    /** The sandbox's cluster as the packet view draws it: devices, wires, groups, Service badges. */
    input: z.strictObject(sandboxRef),
    output: diagramSchema
  },
  'sandbox:inspect': {
    input: z.strictObject({ ...sandboxRef, objectId: z.string().min(1).max(200) }),
    output: inspectOutput
  },
  'sandbox:reset': {
    /** Rebuilds the scenario: the world is as the file says again. */
    input: z.strictObject(sandboxRef),
    output: topologySchema
  },
  'lab:terminalInput': {
    /**
     * A line typed into a live terminal (`lab:terminal` stream) of a lesson or a sandbox: its
     * output so far; with `running` the line waits on a capture or `wait`, and the stream carries
     * the rest; with `continues` bash would read more (an open here-document or quote) and ran
     * nothing yet. A lesson's answer carries its session: a command that ended may pass a task.
     */
    input: z.strictObject({
      learnerId: learnerIdSchema,
      lab: labRefSchema,
      terminalId: terminalIdSchema,
      line: z.string().max(4000)
    }),
    output: z.strictObject({
      ...execOutput,
      running: z.literal(true).optional(),
      continues: z.literal(true).optional(),
      session: lessonSessionViewSchema.optional()
    })
  },
  'lab:terminalInterrupt': {
    /**
     * Ctrl+C (`INT`, the default) in a live terminal: SIGINT to its foreground capture, the end
     * of `wait`, or the end of an unfinished here-document. Ctrl+Z (`TSTP`): the foreground
     * capture stops and becomes a job. A lesson's answer carries its session.
     */
    input: z.strictObject({
      learnerId: learnerIdSchema,
      lab: labRefSchema,
      terminalId: terminalIdSchema,
      signal: z.enum(['INT', 'TSTP']).optional()
    }),
    output: z.strictObject({ session: lessonSessionViewSchema.optional() })
  },
  'lab:topology': {
    input: z.strictObject(lessonRef),
    output: topologySchema
  },
  'lab:diagram': {
    /** The lesson's cluster as the packet view draws it: devices, wires, groups, Service badges. */
    input: z.strictObject(lessonRef),
    output: diagramSchema
  },
  'lab:inspect': {
    input: z.strictObject({ ...lessonRef, objectId: z.string().min(1).max(200) }),
    output: inspectOutput
  },
  'progress:summary': {
    input: z.strictObject({ learnerId: learnerIdSchema }),
    /** `topics` in the order the course first teaches each one. */
    output: z.strictObject({ lessons: z.array(lessonProgressSchema), topics: z.array(topicMasterySchema) })
  },
  'progress:export': {
    input: z.strictObject({ learnerId: learnerIdSchema, format: z.enum(['json', 'csv', 'xapi']) }),
    /** A file for the renderer to save: the app never writes outside its data folder by itself. */
    output: z.strictObject({ fileName: z.string(), mimeType: z.string(), content: z.string() })
  },
  'progress:import': {
    /** The text of a progress file exported by `progress:export` (format json). */
    input: z.strictObject({ content: z.string().max(8 * 1024 * 1024) }),
    output: z.strictObject({
      learnerId: learnerIdSchema,
      learnerCreated: z.boolean(),
      /** Rows added or changed per kind; all zero when the same file was imported before. */
      changes: z.record(z.string(), z.number())
    })
  },
  'progress:reset': {
    /**
     * Forgets this learner's lesson sessions, answers, hints and review queue. The profile, its
     * settings and every other profile's data stay. `confirm` must repeat the profile's name.
     */
    input: z.strictObject({ learnerId: learnerIdSchema, confirm: z.string().max(60) }),
    output: z.strictObject({ removed: z.record(z.string(), z.number()) })
  },
  'review:due': {
    /** The learner's spaced-review queue, due now, most overdue first; keys withheld as in a lesson. */
    input: z.strictObject({ learnerId: learnerIdSchema }),
    output: z.strictObject({
      items: z.array(
        z.strictObject({
          itemId: z.string(),
          lessonId: z.string(),
          lessonTitle: localizedSchema,
          questionId: z.string(),
          question: publicQuestionSchema,
          dueAt: z.string()
        })
      ),
      total: z.number().int().min(0),
      /** When the next item not yet due comes up; null when the queue holds nothing more. */
      nextDueAt: z.string().nullable()
    })
  },
  'review:answer': {
    /** Grades one due item (always finished: explanation and key shown) and reschedules it by SM-2. */
    input: z.strictObject({
      learnerId: learnerIdSchema,
      itemId: z.string().min(1).max(64),
      answer: answerSchema
    }),
    output: z.strictObject({ grading: gradingSchema, nextDueAt: z.string() })
  },
  'settings:get': {
    input: z.strictObject({ learnerId: learnerIdSchema }),
    output: settingsSchema
  },
  'settings:set': {
    input: z.strictObject({ learnerId: learnerIdSchema, settings: settingsSchema.partial() }),
    output: settingsSchema
  },
  'profiles:list': {
    input: empty,
    output: z.strictObject({
      profiles: z.array(profileSchema),
      activeId: learnerIdSchema.nullable(),
      /** The active profile's settings (null without one): the app applies them before its first page. */
      activeSettings: settingsSchema.nullable()
    })
  },
  'profiles:create': {
    input: z.strictObject({ name: profileNameSchema }),
    output: profileSchema
  },
  'profiles:select': {
    input: z.strictObject({ learnerId: learnerIdSchema }),
    output: profileSchema
  },
  'profiles:rename': {
    /** Names are unique on this computer, ignoring case. */
    input: z.strictObject({ learnerId: learnerIdSchema, name: profileNameSchema }),
    output: profileSchema
  },
  'profiles:delete': {
    /**
     * Deletes the profile with its settings and all of its progress; every other profile stays as
     * it is. `confirm` must repeat the profile's name. Deleting the active profile leaves none active.
     */
    input: z.strictObject({ learnerId: learnerIdSchema, confirm: z.string().max(60) }),
    output: z.strictObject({ deleted: profileSchema, activeId: learnerIdSchema.nullable() })
  }
} as const satisfies Record<MethodName, MethodSpec>

export type Contract = typeof contract
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>

/** The renderer's API client: errors re-thrown, values unwrapped. */
export type PodnetApi = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>>
}

/** `window.podnet` as the Electron preload exposes it: one function per method, answering envelopes. */
export type PodnetBridge = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<Envelope<MethodOutput<M>>>
}
