import { z } from 'zod'

/**
 * The lesson format: `lessons/index.yaml` (course order) and `lessons/NN-slug/lesson.yaml`.
 * One schema serves the app's loader and `podnet lessons check`; authors read
 * docs/authoring-lessons.md. Answer keys live here and never leave the main process:
 * see quiz.ts `toPublicQuestion` and snapshot-view.ts for what the renderer receives.
 */

/** The locales every lesson is written in, natively (not translated line by line). */
export const LOCALES = ['en', 'zh-CN'] as const
export type Locale = (typeof LOCALES)[number]

/** Stable kebab-case ids: progress is keyed by them, never by position. */
export const idSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a kebab-case id such as ping-other-node')

/** A short string in every locale (titles, options, feedback); long prose lives in the Markdown files. */
export const localizedSchema = z.strictObject({
  /** English text. */
  en: z.string().trim().min(1, 'must not be empty'),
  /** Simplified Chinese text, written natively. */
  'zh-CN': z.string().trim().min(1, 'must not be empty')
})
export type Localized = z.output<typeof localizedSchema>

/**
 * Where a command runs or a trace starts: a node (`node-1`), a pod (`client`),
 * `pod/container`, or an external host, exactly as the scenario names them.
 */
const targetSchema = z.string().min(1)

/** A JavaScript regular expression source, checked to compile. */
const regexSchema = z
  .string()
  .min(1)
  .refine((source) => {
    try {
      new RegExp(source)
      return true
    } catch {
      return false
    }
  }, 'not a valid regular expression')

/**
 * A simulated object's stable path id (docs/architecture.md): `node-1/cni0`, `client/eth0`,
 * `node-1/iptables/nat/KUBE-SERVICES/3`. The first segment names a node, pod or external host,
 * or a namespace made with `ip netns add` on a node as `node:name` (`node-1:pod-a/eth0`).
 */
export const objectIdSchema = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(:[^\s/:]+)?(\/[^\s/]+)*$/,
    'expected an object id such as node-1/cni0'
  )

/** The packet a `predict` or `trace` step sends through the simulated cluster. */
export const traceSpecSchema = z.strictObject({
  /** Where the packet starts (node, pod, or external host). */
  from: targetSchema,
  /** Destination: an IPv4 address (pod IP, ClusterIP, node IP) or a pod name. */
  to: z.string().min(1),
  /** What is sent: an ICMP echo, a TCP SYN or a UDP datagram. */
  protocol: z.enum(['icmp', 'tcp', 'udp']).default('icmp'),
  /** Destination port for tcp/udp. */
  port: z.number().int().min(1).max(65535).optional(),
  /**
   * TCP only: how much of a connection is walked. `http` (the default for TCP) is the whole
   * connection as curl makes it — handshake, the request, the answer, the close; `handshake`
   * stops at the SYN-ACK (or the RST).
   */
  connection: z.enum(['handshake', 'http']).optional()
})
export type TraceSpec = z.output<typeof traceSpecSchema>

const macSchema = z
  .string()
  .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'expected a lowercase MAC such as 8e:2a:1b:3c:4d:02')
const ipv4Schema = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, 'expected an IPv4 address such as 10.244.2.0')
const cidrSchema = z
  .string()
  .regex(
    /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/,
    'expected an address with its prefix length such as 10.244.1.1/24'
  )

const predicateHint = {
  /**
   * Dynamic hint: shown when the learner asks for help after the static hints and this part of
   * the goal is the first one that still fails.
   */
  hint: localizedSchema.optional()
}

/** Goal predicates. Event leaves are satisfied by what happened during the step; state leaves query the lab. */
export type Predicate =
  | { kind: 'all'; of: Predicate[]; hint?: Localized | undefined }
  | { kind: 'any'; of: Predicate[]; hint?: Localized | undefined }
  | { kind: 'not'; predicate: Predicate; hint?: Localized | undefined }
  | {
      kind: 'command-ran'
      on: string
      command?: string | undefined
      output?: string | undefined
      exitCode?: number | undefined
      hint?: Localized | undefined
    }
  | {
      kind: 'trace'
      from: string
      to: string
      verdict: 'delivered' | 'dropped'
      stage?: string | undefined
      hint?: Localized | undefined
    }
  | { kind: 'link-state'; link: string; state: 'up' | 'down'; hint?: Localized | undefined }
  | { kind: 'pod-exists'; pod: string; exists: boolean; hint?: Localized | undefined }
  | {
      kind: 'fdb-entry'
      device: string
      mac?: string | undefined
      dst?: string | undefined
      present: boolean
      hint?: Localized | undefined
    }
  | {
      kind: 'link'
      link: string
      type?: 'veth' | 'bridge' | 'vxlan' | undefined
      master?: string | undefined
      address?: string | undefined
      mtu?: number | undefined
      present: boolean
      hint?: Localized | undefined
    }
  | {
      kind: 'neighbour'
      device: string
      address: string
      lladdr?: string | undefined
      permanent?: boolean | undefined
      present: boolean
      hint?: Localized | undefined
    }
  | {
      kind: 'route'
      on: string
      destination: string
      via?: string | undefined
      present: boolean
      hint?: Localized | undefined
    }
  | { kind: 'sysctl'; on: string; key: string; value: string; hint?: Localized | undefined }
  | {
      kind: 'iptables-rule'
      on: string
      table: 'filter' | 'nat' | 'mangle'
      rule: string
      present: boolean
      hint?: Localized | undefined
    }
  | {
      kind: 'endpoints'
      service: string
      port?: number | undefined
      min: number
      hint?: Localized | undefined
    }

export const predicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      /** Every sub-goal holds. */
      kind: z.literal('all'),
      /** The sub-goals. */
      of: z.array(predicateSchema).min(1),
      ...predicateHint
    }),
    z.strictObject({
      /** At least one sub-goal holds. */
      kind: z.literal('any'),
      /** The sub-goals. */
      of: z.array(predicateSchema).min(1),
      ...predicateHint
    }),
    z.strictObject({
      /** The sub-goal does not hold. */
      kind: z.literal('not'),
      /** The negated sub-goal. */
      predicate: predicateSchema,
      ...predicateHint
    }),
    z.strictObject({
      /** A command ran during this step on `on` (and its output matched). */
      kind: z.literal('command-ran'),
      /** Node, pod, pod/container or external host the command ran on. */
      on: targetSchema,
      /** Regular expression the command line must match (any command if omitted). */
      command: regexSchema.optional(),
      /** Regular expression the output must match (multiline mode). */
      output: regexSchema.optional(),
      /** Required exit status. */
      exitCode: z.number().int().min(0).max(255).optional(),
      ...predicateHint
    }),
    z.strictObject({
      /** A trace from `from` to `to` finished during this step with this verdict. */
      kind: z.literal('trace'),
      /** Where the traced packet started. */
      from: targetSchema,
      /** The traced packet's destination (IP or pod name), as in the trace spec. */
      to: z.string().min(1),
      /** Whether the packet reached its destination. */
      verdict: z.enum(['delivered', 'dropped']),
      /** For `dropped`: the engine's drop reason (`link-down`, `neigh-failed`, `no-route`, `netfilter-reject`, …). */
      stage: z.string().min(1).optional(),
      ...predicateHint
    }),
    z.strictObject({
      /** A link is administratively up or down right now. */
      kind: z.literal('link-state'),
      /** The link's object id, e.g. `node-1/cni0`. */
      link: objectIdSchema,
      /** Required state. */
      state: z.enum(['up', 'down']),
      ...predicateHint
    }),
    z.strictObject({
      /** A pod exists (or has been deleted) right now. */
      kind: z.literal('pod-exists'),
      /** Pod name as in the scenario. */
      pod: z.string().min(1),
      /** `false` means the goal is that the pod is gone. */
      exists: z.boolean(),
      ...predicateHint
    }),
    z.strictObject({
      /** A bridge/VXLAN forwarding database entry is present (or absent) right now. */
      kind: z.literal('fdb-entry'),
      /** The device whose FDB is consulted, e.g. `node-1/flannel.1` or `node-1/cni0`. */
      device: objectIdSchema,
      /** MAC address the entry is for (any entry on the device if omitted). */
      mac: macSchema.optional(),
      /** VXLAN remote (`dst`) the entry must point to. */
      dst: z.string().min(1).optional(),
      /** `false` means the goal is that no such entry exists. */
      present: z.boolean().default(true),
      ...predicateHint
    }),
    z.strictObject({
      /**
       * A link exists (or not) right now with every property given: what kind of device it is,
       * the bridge it is a port of, an address it holds.
       */
      kind: z.literal('link'),
      /** The link's object id, e.g. `node-1/veth-a` or `node-1:pod-a/eth0`. */
      link: objectIdSchema,
      /** The device type, as `ip -d link` names it. */
      type: z.enum(['veth', 'bridge', 'vxlan']).optional(),
      /** Name of the bridge the link is enslaved to (`master cni0`). */
      master: z.string().min(1).optional(),
      /** An IPv4 address with its prefix length, as `ip addr` prints it (`10.244.1.1/24`). */
      address: cidrSchema.optional(),
      /** The MTU `ip link` prints for it. */
      mtu: z.number().int().min(68).max(65535).optional(),
      /** `false` means the goal is that no such link exists. */
      present: z.boolean().default(true),
      ...predicateHint
    }),
    z.strictObject({
      /** A neighbour (ARP) entry exists (or not) on a device right now. */
      kind: z.literal('neighbour'),
      /** The device the entry belongs to, e.g. `node-1/flannel.1`. */
      device: objectIdSchema,
      /** The neighbour's IPv4 address. */
      address: ipv4Schema,
      /** The MAC it resolves to. */
      lladdr: macSchema.optional(),
      /** Whether the entry must be (or must not be) PERMANENT. */
      permanent: z.boolean().optional(),
      /** `false` means the goal is that no such entry exists. */
      present: z.boolean().default(true),
      ...predicateHint
    }),
    z.strictObject({
      /** A route to exactly this destination prefix exists (or not) on a node or pod right now. */
      kind: z.literal('route'),
      /**
       * Node or pod whose main routing table is consulted, or a namespace made with `ip netns add`
       * on a node (`node-1:pod-a`).
       */
      on: targetSchema,
      /** Destination prefix as `ip route` prints it (`10.244.2.0/24`, `default`). */
      destination: z.string().min(1),
      /** The gateway the route must name (`via 10.244.2.0`). */
      via: ipv4Schema.optional(),
      /** `false` means the goal is that the route is gone. */
      present: z.boolean().default(true),
      ...predicateHint
    }),
    z.strictObject({
      /** A kernel parameter of a node's or pod's network namespace has this value right now. */
      kind: z.literal('sysctl'),
      /** Node or pod whose namespace is consulted. */
      on: targetSchema,
      /** The parameter as `sysctl` names it, dotted (`net.bridge.bridge-nf-call-iptables`). */
      key: z
        .string()
        .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/, 'expected a dotted sysctl name such as net.ipv4.ip_forward'),
      /** The value as `sysctl` prints it. */
      value: z.string().min(1),
      ...predicateHint
    }),
    z.strictObject({
      /**
       * A node's iptables table holds (or lacks) this rule right now. A break-fix lab that repairs
       * a firewall asks for the one bad rule gone and the good ones kept, so that flushing whole
       * chains does not pass for a fix.
       */
      kind: z.literal('iptables-rule'),
      /** Node or external host whose tables are consulted. */
      on: targetSchema,
      table: z.enum(['filter', 'nat', 'mangle']).default('filter'),
      /** One line as `iptables -S` prints it (`-A INPUT -p udp -m udp --dport 8472 -j DROP`). */
      rule: z
        .string()
        .regex(/^-A \S+( |$)/, 'expected a rule as iptables -S prints it, starting with -A CHAIN'),
      /** `false` means the goal is that the rule is gone. */
      present: z.boolean().default(true),
      ...predicateHint
    }),
    z.strictObject({
      /**
       * A Service has at least `min` ready endpoints right now (as `kubectl get endpoints` lists
       * them), counting only those on target port `port` when it is given. Wrap it in `not` for
       * "has no endpoints".
       */
      kind: z.literal('endpoints'),
      /** The Service's name as in the scenario. */
      service: z.string().min(1),
      /** Only endpoints on this target port count. */
      port: z.number().int().min(1).max(65535).optional(),
      /** How many endpoints are needed. */
      min: z.number().int().min(1).default(1),
      ...predicateHint
    })
  ])
) as z.ZodType<Predicate>

/** Scoring shared by every question kind (Moodle-style: retries cost a penalty). */
const questionBase = {
  /** Stable id, unique within the lesson. */
  id: idSchema,
  /** The question as shown. */
  prompt: localizedSchema,
  /** Shown once the question is finished (answered correctly or out of attempts). */
  explanation: localizedSchema,
  /**
   * The question's topic tag, one of the lesson's `topics`. Lessons that mix topics (the final
   * exam) tag each question, so a missed one can be traced back to what teaches it.
   */
  topic: idSchema.optional(),
  /** Points for a fully correct first attempt. */
  points: z.number().positive().default(1),
  /** Attempts allowed; after the last one the correct answer is revealed. */
  attempts: z.number().int().min(1).max(10).default(3),
  /** Fraction of `points` lost per retry (Moodle's default is 1/3). */
  penalty: z
    .number()
    .min(0)
    .max(1)
    .default(1 / 3)
}

/** One choice of a single/multiple-choice question. */
const choiceOptionSchema = z.strictObject({
  /** Stable id, unique within the question; answers name options by id. */
  id: idSchema,
  /** The option text. */
  text: localizedSchema,
  /** Whether choosing it is right. Never sent to the renderer. */
  correct: z.boolean().default(false),
  /** Shown when the learner picks this option. */
  feedback: localizedSchema.optional()
})

/** Feedback for an answer that matches something specific (a common mistake). */
const matchFeedbackSchema = <T extends z.ZodType>(value: T) =>
  z.strictObject({
    /** The answer this feedback is for. */
    value,
    /** Shown when the learner's answer matches. */
    feedback: localizedSchema
  })

export const questionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...questionBase,
    /** Exactly one option is correct. */
    kind: z.literal('single'),
    /** The options, shown in this order. */
    options: z.array(choiceOptionSchema).min(2)
  }),
  z.strictObject({
    ...questionBase,
    /** One or more options are correct; partial credit per option (wrong picks cancel right ones). */
    kind: z.literal('multiple'),
    /** The options, shown in this order. */
    options: z.array(choiceOptionSchema).min(2)
  }),
  z.strictObject({
    ...questionBase,
    /** Put the items in order; credit is the fraction of items in their right place. */
    kind: z.literal('ordering'),
    /** The items in their correct order; the renderer receives them in a fixed shuffled order. */
    items: z
      .array(
        z.strictObject({
          /** Stable id, unique within the question; answers list ids. */
          id: idSchema,
          /** The item text. */
          text: localizedSchema
        })
      )
      .min(2)
  }),
  z.strictObject({
    ...questionBase,
    /** A number, e.g. the TTL that arrives. */
    kind: z.literal('numeric'),
    /** The correct value. */
    answer: z.number(),
    /** Accepted absolute deviation from `answer`. */
    tolerance: z.number().min(0).default(0),
    /** Unit shown after the input box (`ms`, `bytes`). */
    unit: z.string().min(1).optional(),
    /** Feedback for specific wrong numbers (e.g. 64 when the answer is 62). */
    feedback: z.array(matchFeedbackSchema(z.number())).default([])
  }),
  z.strictObject({
    ...questionBase,
    /** Free text checked against accepted patterns. */
    kind: z.literal('text'),
    /** Regular expressions (anchored, case-insensitive) any of which accepts the answer. */
    accept: z.array(regexSchema).min(1),
    /** The answer shown once the question is finished; must match `accept`. */
    modelAnswer: z.string().min(1),
    /** Feedback for patterns of wrong answers, checked in order. */
    feedback: z.array(matchFeedbackSchema(regexSchema)).default([])
  }),
  z.strictObject({
    ...questionBase,
    /** Pick an object in the topology view (a device or interface). */
    kind: z.literal('hotspot'),
    /** Object ids that count as right, e.g. `node-1/cni0`. */
    answer: z.array(objectIdSchema).min(1),
    /** Feedback when a specific (usually wrong) object is picked. */
    feedback: z.array(matchFeedbackSchema(objectIdSchema)).default([])
  })
])
export type Question = z.output<typeof questionSchema>

/** A solution step: a shell command, or a trace the learner would run from the trace panel. */
export const solutionStepSchema = z.union([
  z.strictObject({
    /** Node, pod, pod/container or external host to run on. */
    on: targetSchema,
    /** The command line, as the learner would type it. */
    run: z.string().min(1)
  }),
  z.strictObject({
    /** A trace to run. */
    trace: traceSpecSchema
  })
])
export type SolutionStep = z.output<typeof solutionStepSchema>

const stepBase = {
  /** Stable id; also the `## <id>` heading of this step's prose in every locale file. */
  id: idSchema,
  /** Short title for the step list. */
  title: localizedSchema
}

/** The header fields an `address-owner` prediction may ask about. */
export const ADDRESS_FIELDS = ['src-mac', 'src-ip', 'dst-ip'] as const
export type AddressField = (typeof ADDRESS_FIELDS)[number]

/** What the learner predicts about a trace before it runs. */
export const predictionSchema = z.discriminatedUnion('what', [
  z.strictObject({
    /** Whether the packet arrives. */
    what: z.literal('verdict'),
    /** The simulator's verdict; the checker proves it. */
    answer: z.enum(['delivered', 'dropped'])
  }),
  z.strictObject({
    /** Why the packet is dropped, as the engine's drop reason (`delivered` if it arrives). */
    what: z.literal('drop-stage'),
    /** Choices offered to the learner. */
    options: z.array(z.string().min(1)).min(2),
    /** The simulator's answer; must be one of `options`. */
    answer: z.string().min(1)
  }),
  z.strictObject({
    /** The IP TTL the packet has when it arrives at its destination. */
    what: z.literal('arriving-ttl'),
    /** The simulator's answer. */
    answer: z.number().int().min(0).max(255)
  }),
  z.strictObject({
    /** The device the packet visits right after `after`. */
    what: z.literal('next-device'),
    /** Object id of the device the question starts from (it must be on the path). */
    after: objectIdSchema,
    /** Devices offered to the learner. */
    options: z.array(objectIdSchema).min(2),
    /** The simulator's answer; must be one of `options`. */
    answer: objectIdSchema
  }),
  z.strictObject({
    /**
     * Whose address a header of the packet carries at a device: the frame the device transmits,
     * or, for a device that only receives it (the destination pod's `eth0`), the one it receives.
     */
    what: z.literal('address-owner'),
    /** Object id of the device (it must be on the path). */
    at: objectIdSchema,
    /** The header field asked about. */
    field: z.enum(ADDRESS_FIELDS),
    /**
     * Choices: the object id of the interface that holds the address (`node-1/flannel.1`), or the
     * address itself where no interface holds it (a ClusterIP in iptables mode).
     */
    options: z.array(z.string().min(1)).min(2),
    /** The simulator's answer; must be one of `options`. */
    answer: z.string().min(1)
  }),
  z.strictObject({
    /** Which KUBE-SEP chain kube-proxy's DNAT rule sends this connection to. */
    what: z.literal('kube-sep'),
    /** Pod names offered (each names the endpoint behind a KUBE-SEP chain). */
    options: z.array(z.string().min(1)).min(2),
    /** The endpoint pod the simulator picks with the scenario's fixed seed. */
    answer: z.string().min(1)
  })
])
export type Prediction = z.output<typeof predictionSchema>

/** Why the predicted value comes out: exactly one option is the mechanism at work. */
export const justificationSchema = z.strictObject({
  /** The question as shown; "Why?" in the learner's language when omitted. */
  prompt: localizedSchema.optional(),
  /** The reasons offered, in this order; `correct` and `feedback` stay in the main process until the reveal. */
  options: z.array(choiceOptionSchema).min(2)
})
export type Justification = z.output<typeof justificationSchema>

/** A question pinned to one hop of a trace. */
const pinnedQuestionSchema = z.strictObject({
  /** Object id of the hop's device; the question opens when the stepper reaches it. */
  hop: objectIdSchema,
  /** The question. */
  question: questionSchema
})

export const stepSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...stepBase,
    /** Prose only; commands in it are clickable into the terminal. */
    kind: z.literal('read')
  }),
  z.strictObject({
    ...stepBase,
    /** Change the cluster or observe it until the goal holds; judged by end state, not keystrokes. */
    kind: z.literal('task'),
    /** The goal; must fail in the starting state and pass after `solution` (the checker proves both). */
    goal: predicateSchema,
    /** Static hints, revealed one at a time in this order. */
    hints: z.array(localizedSchema).default([]),
    /** Commands or traces that reach the goal; shown only on request. */
    solution: z.array(solutionStepSchema).min(1),
    /**
     * What a learner plausibly tries first and is still wrong: the command on the wrong target, a
     * near-miss fix, the right tool with the wrong argument. The checker runs it where the step
     * starts and proves the goal rejects it; `podnet lessons check` fails a task without one.
     */
    wrongAttempt: z.array(solutionStepSchema).min(1).optional()
  }),
  z.strictObject({
    ...stepBase,
    /** Predict a trace's outcome, then watch it and compare. */
    kind: z.literal('predict'),
    /** The packet to trace. */
    trace: traceSpecSchema,
    /** What is predicted, with the answer the simulator must agree with. */
    prediction: predictionSchema,
    /**
     * The one-line reason the learner picks with the prediction: options that are the mechanism
     * at work or a real misconception about it. The prediction is right only if both are.
     */
    justification: justificationSchema.optional(),
    /** Shown at the reveal, whatever the learner predicted. */
    explanation: localizedSchema,
    /** Points for a correct prediction. */
    points: z.number().positive().default(1)
  }),
  z.strictObject({
    ...stepBase,
    /** Step through a given trace; questions open at chosen hops. */
    kind: z.literal('trace'),
    /** The packet to trace. */
    trace: traceSpecSchema,
    /** Questions pinned to hops on the path. */
    questions: z.array(pinnedQuestionSchema).min(1)
  }),
  z.strictObject({
    ...stepBase,
    /** A set of questions. */
    kind: z.literal('quiz'),
    /** The questions, in order. */
    questions: z.array(questionSchema).min(1)
  }),
  z.strictObject({
    ...stepBase,
    /** A stop to review the score so far before going on. */
    kind: z.literal('checkpoint')
  }),
  z.strictObject({
    ...stepBase,
    /**
     * The learner's own review queue: questions they missed in any lesson and have not yet
     * recalled, due now. Never blocks: with nothing due the learner reads the prose and moves on.
     */
    kind: z.literal('review'),
    /** At most this many due items are offered here. */
    max: z.number().int().min(1).max(50).default(10)
  })
])
export type Step = z.output<typeof stepSchema>

export const lessonSchema = z.strictObject({
  /** Version of this format; bumped only for incompatible changes. */
  formatVersion: z.literal(1),
  /** Stable kebab-case id; progress is stored under it. */
  id: idSchema,
  /** Lesson title. */
  title: localizedSchema,
  /** One or two sentences for the lesson list. */
  summary: localizedSchema,
  /** What the learner can do afterwards. */
  objectives: z.array(localizedSchema).min(1),
  /** Topic tags; mastery per topic is the mean first-attempt score of the lesson's questions. */
  topics: z.array(idSchema).min(1),
  /** Scenario file in the lesson folder. */
  scenario: z
    .string()
    .regex(/^[a-z0-9][-a-z0-9.]*\.yaml$/, 'expected a file name such as scenario.yaml')
    .default('scenario.yaml'),
  /** Base name of the prose files: `<prose>.en.md` and `<prose>.zh-CN.md`. */
  prose: z
    .string()
    .regex(/^[a-z0-9][-a-z0-9]*$/, 'expected a base name such as tour')
    .default('lesson'),
  /**
   * Not read any more: the app estimates the time from the lesson's content (estimate.ts).
   * Accepted so that lessons and packs written with it still load.
   */
  estimatedMinutes: z.number().int().positive().optional(),
  /** Fraction of the maximum score needed to pass. */
  passScore: z.number().min(0).max(1).default(0.7),
  /** The steps, in order. */
  steps: z.array(stepSchema).min(1)
})
export type Lesson = z.output<typeof lessonSchema>

export const courseIndexSchema = z.strictObject({
  /** Version of this format. */
  formatVersion: z.literal(1),
  /** Stable kebab-case id of the course. */
  id: idSchema,
  /** Course title. */
  title: localizedSchema,
  /** One paragraph for the course page. */
  description: localizedSchema,
  /**
   * What each topic tag of the lessons is called, for mastery per topic on the Progress page.
   * Optional; once present, every tag a lesson uses needs its name here.
   */
  topics: z.record(idSchema, localizedSchema).optional(),
  /**
   * Lesson folders (`NN-slug`, or `NNx-slug` for a lesson put after NN later) in course order.
   * The letter lets a lesson be split or followed without renumbering the folders behind it.
   */
  lessons: z
    .array(z.string().regex(/^\d\d[a-z]?-[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a folder name such as 00-tour'))
    .min(1)
})
export type CourseIndex = z.output<typeof courseIndexSchema>
