import { z } from 'zod'

/**
 * What was wrong with a zod-checked value, in the few kinds a learner can act on: the renderer
 * words each one in both languages, where zod's own messages are English.
 */
export const fieldProblems = [
  'empty',
  'too_short',
  'too_long',
  'wrong_length',
  'too_small',
  'too_big',
  'wrong_type',
  'bad_format',
  'not_allowed',
  'unknown_key',
  'invalid'
] as const
export type FieldProblem = (typeof fieldProblems)[number]

/** What a scenario's cross-field checks refuse; `value` and `range` are the file's own words. */
export const scenarioConflicts = [
  'duplicate',
  'outside',
  'taken',
  'unknown_name',
  'not_allowed',
  'required',
  'too_narrow',
  'setup_failed'
] as const

/** The scenario limits that keep a lab within what a worker builds in time. */
export const scenarioLimits = [
  'bytes',
  'pods_per_node',
  'pods_per_cidr',
  'node_subnets',
  'service_ports',
  'node_ports',
  'endpoints',
  'kube_proxy_entries'
] as const
export type ScenarioLimit = (typeof scenarioLimits)[number]

const name = z.string()
const file = z.string()
const count = z.number()

/**
 * Why the host refused a call, in ids and parameters the renderer turns into a sentence of the
 * learner's language; the envelope's `message` says the same in English for logs and authors.
 */
export const errorReasonParams = {
  /** A value of the call's input, checked by the method's zod schema: the first problem found. */
  field_invalid: z.strictObject({
    method: z.string(),
    /** The path inside the input, joined with `.` (`trace.to`, `lessons.0.lessonId`). */
    field: z.string(),
    expected: z.enum(fieldProblems),
    /** The bound broken by a size problem: characters, items or the number itself. */
    limit: count.optional()
  }),
  /** A node, pod, container, host or object of the lab that the lab does not have. */
  unknown_target: z.strictObject({ name }),
  unknown_trace: z.strictObject({ traceId: count }),
  /** A `netns/device` the trace's frames never crossed. */
  unknown_capture_point: z.strictObject({ point: name, traceId: count }),
  unknown_sandbox: z.strictObject({ sandboxId: name }),
  /** A live terminal id that is not one of this learner's open terminals on this lab. */
  unknown_terminal: z.strictObject({}),
  lesson_unknown: z.strictObject({ lessonId: name }),
  lesson_not_open: z.strictObject({ lessonId: name }),
  step_not_reached: z.strictObject({ lessonId: name, step: name }),
  learner_unknown: z.strictObject({ learnerId: name }),
  review_item_unknown: z.strictObject({ itemId: name }),
  review_item_closed: z.strictObject({ itemId: name }),
  /** An answer whose shape does not fit its question (an option it does not have). */
  answer_invalid: z.strictObject({ questionId: name }),
  /** A destructive call that wants the profile's name typed back. */
  confirm_mismatch: z.strictObject({ name }),
  class_unknown: z.strictObject({ classId: name }),
  join_code_unknown: z.strictObject({ code: name }),
  class_name_taken: z.strictObject({ name }),
  /** A join without a student ID, to a class that asks every learner for one. */
  student_id_required: z.strictObject({}),
  seat_code_unknown: z.strictObject({ seatCode: name }),
  /** A learner token its seat no longer takes: the seat was reclaimed elsewhere or reset (or the class deleted). */
  learner_seat_moved: z.strictObject({}),
  /** A learner token of a class the instructor closed. */
  learner_class_closed: z.strictObject({}),
  class_learner_unknown: z.strictObject({ learnerId: name }),
  /** A learner who joined a class: their profile goes only with the class, never from the learner menu. */
  class_learner: z.strictObject({ className: name }),
  /** The instructor's token on a call that would change a class learner's record. */
  class_learner_record: z.strictObject({ className: name }),
  /** A learner token on another learner's data, or a learner call without one. */
  own_progress_only: z.strictObject({}),
  learner_token_needed: z.strictObject({ method: name }),
  instructor_only: z.strictObject({ method: name }),
  desktop_only: z.strictObject({ method: name }),
  class_not_running: z.strictObject({}),
  port_in_use: z.strictObject({ port: count, address: name }),
  address_gone: z.strictObject({ address: name }),
  port_not_allowed: z.strictObject({ port: count }),
  /** A pack name no installed pack has. */
  pack_unknown: z.strictObject({ packId: name }),
  pack_path_invalid: z.strictObject({
    problem: z.enum(['nul', 'too_long', 'name_too_long', 'not_a_pack']),
    limit: count.optional()
  }),
  scenario_yaml: z.strictObject({
    file,
    problem: z.enum(['aliases', 'syntax']),
    line: count.optional(),
    column: count.optional()
  }),
  scenario_limit: z.strictObject({
    file,
    field: z.string(),
    what: z.enum(scenarioLimits),
    limit: count,
    value: count,
    /** The node the pods are crowded on. */
    where: name.optional()
  }),
  scenario_field: z.strictObject({
    file,
    field: z.string(),
    expected: z.enum(fieldProblems),
    limit: count.optional()
  }),
  scenario_conflict: z.strictObject({
    file,
    field: z.string(),
    problem: z.enum(scenarioConflicts),
    value: z.string().optional(),
    range: z.string().optional()
  }),
  store_read_only: z.strictObject({}),
  store_disk_full: z.strictObject({}),
  store_schema_too_new: z.strictObject({}),
  store_busy: z.strictObject({}),
  store_io: z.strictObject({}),
  store_conflict: z.strictObject({}),
  store_not_found: z.strictObject({}),
  store_invalid: z.strictObject({}),
  method_unknown: z.strictObject({ method: name })
} as const

type ReasonParams = typeof errorReasonParams
export type ErrorReasonId = keyof ReasonParams
export const errorReasonIds = Object.keys(errorReasonParams) as ErrorReasonId[]

/** One refusal's reason: its id and that id's parameters. */
export type ErrorReason = {
  [Id in ErrorReasonId]: { id: Id; params: z.output<ReasonParams[Id]> }
}[ErrorReasonId]

export const errorReasonSchema = z.discriminatedUnion(
  'id',
  errorReasonIds.map((id) =>
    z.strictObject({ id: z.literal(id), params: errorReasonParams[id] })
  ) as unknown as [z.ZodObject, ...z.ZodObject[]]
) as unknown as z.ZodType<ErrorReason>

/** Builds a reason with its parameters typed by its id. */
export function reason<Id extends ErrorReasonId>(id: Id, params: z.output<ReasonParams[Id]>): ErrorReason {
  return { id, params } as ErrorReason
}

/** The kind of a zod issue a learner can act on, with the bound it broke where it has one. */
export function fieldProblemOf(issue: z.core.$ZodIssue): { expected: FieldProblem; limit?: number } {
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum)
      const sized = issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set'
      if (issue.exact) return { expected: 'wrong_length', limit: bound }
      if (issue.code === 'too_small' && sized && bound === 1) return { expected: 'empty' }
      if (issue.code === 'too_small') return { expected: sized ? 'too_short' : 'too_small', limit: bound }
      return { expected: sized ? 'too_long' : 'too_big', limit: bound }
    }
    case 'invalid_type':
      return { expected: 'wrong_type' }
    case 'invalid_format':
      return { expected: 'bad_format' }
    case 'invalid_value':
    case 'invalid_union':
      return { expected: 'not_allowed' }
    case 'unrecognized_keys':
      return { expected: 'unknown_key' }
    default:
      return { expected: 'invalid' }
  }
}

/** An issue's path as the renderer shows it, with the unknown key itself for an extra key. */
export function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String)
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0])
  return path.join('.')
}
