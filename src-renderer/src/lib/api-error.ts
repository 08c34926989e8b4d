import type { ApiErrorCode } from '../../../src-main/api/envelope.ts'
import type { ErrorReason, ErrorReasonId, FieldProblem } from '../../../src-main/api/error-reasons.ts'
// The compiled messages themselves rather than i18n/index.ts: this module holds no reactive state,
// so it also runs outside Svelte's compiler (the tests that hold every code to a message).
import * as m from './i18n/paraglide/messages.js'

/** The host's codes, and `network`: the call never reached the host (or no answer came back). */
export type CallErrorCode = ApiErrorCode | 'network'

/**
 * An API failure on the renderer side. `message` is what the learner reads, in their language
 * (so even code that shows `error.message` shows a sentence of the app's); `detail` keeps the
 * host's own words, for logs and as the part of the sentence that names what to fix.
 */
export class ApiCallError extends Error {
  readonly code: CallErrorCode
  readonly detail: string
  readonly retryAfterSeconds: number | undefined
  /** What was wrong, when the host said it in ids and parameters: the sentence is built from it. */
  readonly reason: ErrorReason | undefined

  constructor(code: CallErrorCode, detail: string, retryAfterSeconds?: number, reason?: ErrorReason) {
    super(detail)
    this.name = 'ApiCallError'
    this.code = code
    this.detail = detail
    this.retryAfterSeconds = retryAfterSeconds
    this.reason = reason
    this.message = errorText(this)
  }
}

/** Whether a call failed because Podnet Lab could not be reached, not because it said no. */
export function isConnectionLost(error: unknown): boolean {
  return error instanceof ApiCallError && error.code === 'network'
}

type Params<Id extends ErrorReasonId> = Extract<ErrorReason, { id: Id }>['params']

/**
 * The fields a learner types, by method and path, under the name the form gives them; any other
 * path is the caller's own JSON and is shown as it is, in code style.
 */
const fieldLabels: Record<string, () => string> = {
  'profiles:create name': m.error_field_profile_name,
  'profiles:rename name': m.error_field_profile_name,
  'class:start name': m.error_field_class_name,
  'class:join code': m.error_field_join_code,
  'class:join name': m.error_field_seat_name,
  'sandbox:open source.content': m.error_field_scenario_yaml,
  'sandbox:open source.fileName': m.error_field_scenario_file,
  'pack:import path': m.error_field_pack_file,
  'pack:upload base64': m.error_field_pack_file,
  'pack:export packId': m.pack_export_id,
  'pack:export title': m.pack_export_name,
  'class:report iriBase': m.error_field_xapi_iri_base,
  'class:sendToLrs iriBase': m.error_field_xapi_iri_base,
  'quiz:submit answer': m.error_field_answer,
  'review:answer answer': m.error_field_answer,
  'profiles:delete confirm': m.error_field_confirm,
  'progress:reset confirm': m.error_field_confirm
}

function fieldLabel(method: string, field: string): string {
  return fieldLabels[`${method} ${field}`]?.() ?? `\`${field || '(root)'}\``
}

const fieldProblemTexts = {
  empty: () => m.error_field_problem_empty(),
  too_short: (limit) => m.error_field_problem_too_short({ limit }),
  too_long: (limit) => m.error_field_problem_too_long({ limit }),
  wrong_length: (limit) => m.error_field_problem_wrong_length({ limit }),
  too_small: (limit) => m.error_field_problem_too_small({ limit }),
  too_big: (limit) => m.error_field_problem_too_big({ limit }),
  wrong_type: () => m.error_field_problem_wrong_type(),
  bad_format: () => m.error_field_problem_bad_format(),
  not_allowed: () => m.error_field_problem_not_allowed(),
  unknown_key: () => m.error_field_problem_unknown_key(),
  invalid: () => m.error_field_problem_invalid()
} satisfies Record<FieldProblem, (limit: number) => string>

const fieldProblemText = (expected: FieldProblem, limit: number | undefined): string =>
  fieldProblemTexts[expected](limit ?? 0)

const packPathTexts = {
  nul: () => m.error_pack_path_nul(),
  too_long: () => m.error_pack_path_too_long(),
  name_too_long: (limit) => m.error_pack_path_name_too_long({ limit }),
  not_a_pack: () => m.error_pack_path_not_a_pack()
} satisfies Record<Params<'pack_path_invalid'>['problem'], (limit: number) => string>

const scenarioLimitTexts = {
  bytes: () => m.error_scenario_limit_bytes(),
  pods_per_node: (where) => m.error_scenario_limit_pods_per_node({ where }),
  pods_per_cidr: (where) => m.error_scenario_limit_pods_per_cidr({ where }),
  node_subnets: () => m.error_scenario_limit_node_subnets(),
  service_ports: () => m.error_scenario_limit_service_ports(),
  node_ports: () => m.error_scenario_limit_node_ports(),
  endpoints: () => m.error_scenario_limit_endpoints(),
  kube_proxy_entries: () => m.error_scenario_limit_kube_proxy_entries()
} satisfies Record<Params<'scenario_limit'>['what'], (where: string) => string>

const scenarioConflictTexts = {
  duplicate: (p) => m.error_scenario_conflict_duplicate({ value: p.value ?? '' }),
  outside: (p) => m.error_scenario_conflict_outside({ value: p.value ?? '', range: p.range ?? '' }),
  taken: (p) => m.error_scenario_conflict_taken({ value: p.value ?? '' }),
  unknown_name: (p) => m.error_scenario_conflict_unknown_name({ value: p.value ?? '' }),
  not_allowed: () => m.error_scenario_conflict_not_allowed(),
  required: () => m.error_scenario_conflict_required(),
  too_narrow: (p) => m.error_scenario_conflict_too_narrow({ value: p.value ?? '', range: p.range ?? '' }),
  setup_failed: (p) => m.error_scenario_conflict_setup_failed({ value: p.value ?? '' })
} satisfies Record<Params<'scenario_conflict'>['problem'], (p: Params<'scenario_conflict'>) => string>

/** A scenario path in code style; the file's root has none. */
const scenarioField = (field: string): string => (field === '' ? '' : `\`${field}\` `)

/**
 * The part of the sentence that names what was wrong, one per reason id: in the learner's
 * language, with the host's parameters (names, numbers, paths) kept as they are.
 */
const reasonTexts: { [Id in ErrorReasonId]: (params: Params<Id>) => string } = {
  field_invalid: (p) =>
    m.error_reason_field_invalid({
      field: fieldLabel(p.method, p.field),
      problem: fieldProblemText(p.expected, p.limit)
    }),
  unknown_target: (p) => m.error_reason_unknown_target(p),
  unknown_trace: (p) => m.error_reason_unknown_trace(p),
  unknown_capture_point: (p) => m.error_reason_unknown_capture_point(p),
  unknown_sandbox: (p) => m.error_reason_unknown_sandbox(p),
  unknown_terminal: () => m.error_reason_unknown_terminal(),
  lesson_unknown: (p) => m.error_reason_lesson_unknown(p),
  lesson_not_open: (p) => m.error_reason_lesson_not_open(p),
  step_not_reached: (p) => m.error_reason_step_not_reached(p),
  learner_unknown: (p) => m.error_reason_learner_unknown(p),
  review_item_unknown: (p) => m.error_reason_review_item_unknown(p),
  review_item_closed: (p) => m.error_reason_review_item_closed(p),
  answer_invalid: (p) => m.error_reason_answer_invalid(p),
  confirm_mismatch: (p) => m.error_reason_confirm_mismatch(p),
  class_unknown: (p) => m.error_reason_class_unknown(p),
  join_code_unknown: (p) => m.error_reason_join_code_unknown(p),
  class_name_taken: (p) => m.error_reason_class_name_taken(p),
  student_id_required: () => m.error_reason_student_id_required(),
  seat_code_unknown: (p) => m.error_reason_seat_code_unknown(p),
  learner_seat_moved: () => m.error_reason_learner_seat_moved(),
  learner_class_closed: () => m.error_reason_learner_class_closed(),
  class_learner_unknown: (p) => m.error_reason_class_learner_unknown(p),
  class_learner: (p) => m.error_reason_class_learner(p),
  class_learner_record: (p) => m.error_reason_class_learner_record(p),
  own_progress_only: () => m.error_reason_own_progress_only(),
  learner_token_needed: (p) => m.error_reason_learner_token_needed(p),
  instructor_only: (p) => m.error_reason_instructor_only(p),
  desktop_only: (p) => m.error_reason_desktop_only(p),
  class_not_running: () => m.error_reason_class_not_running(),
  port_in_use: (p) => m.error_reason_port_in_use(p),
  address_gone: (p) => m.error_reason_address_gone(p),
  port_not_allowed: (p) => m.error_reason_port_not_allowed(p),
  pack_unknown: (p) => m.error_reason_pack_unknown(p),
  pack_path_invalid: (p) =>
    m.error_reason_pack_path_invalid({ problem: packPathTexts[p.problem](p.limit ?? 0) }),
  scenario_yaml: (p) =>
    p.problem === 'aliases'
      ? m.error_reason_scenario_yaml_aliases({ file: p.file })
      : p.line === undefined
        ? m.error_reason_scenario_yaml_syntax_nowhere({ file: p.file })
        : m.error_reason_scenario_yaml_syntax({ file: p.file, line: p.line, column: p.column ?? 1 }),
  scenario_limit: (p) =>
    m.error_reason_scenario_limit({
      file: p.file,
      what: scenarioLimitTexts[p.what](p.where ?? ''),
      limit: p.limit,
      value: p.value
    }),
  scenario_field: (p) =>
    m.error_reason_scenario_field({
      file: p.file,
      field: scenarioField(p.field),
      problem: fieldProblemText(p.expected, p.limit)
    }),
  scenario_conflict: (p) =>
    m.error_reason_scenario_conflict({
      file: p.file,
      field: scenarioField(p.field),
      problem: scenarioConflictTexts[p.problem](p)
    }),
  store_read_only: () => m.error_reason_store_read_only(),
  store_disk_full: () => m.error_reason_store_disk_full(),
  store_schema_too_new: () => m.error_reason_store_schema_too_new(),
  store_busy: () => m.error_reason_store_busy(),
  store_io: () => m.error_reason_store_io(),
  store_conflict: () => m.error_reason_store_conflict(),
  store_not_found: () => m.error_reason_store_not_found(),
  store_invalid: () => m.error_reason_store_invalid(),
  method_unknown: (p) => m.error_reason_method_unknown(p)
}

/** What was wrong in the learner's words: from the reason where the host sent one, else its own. */
function detailOf(error: ApiCallError): string {
  const { reason } = error
  if (!reason) return error.detail
  return (reasonTexts[reason.id] as (params: ErrorReason['params']) => string)(reason.params)
}

/**
 * One sentence per code. The host's detail is kept where it names what to fix (a field, a scenario
 * line, a name); it is left out where it only repeats the code or describes the host's insides.
 */
const sentences = {
  invalid_input: (e) => m.error_invalid_input({ detail: detailOf(e) }),
  not_found: (e) => m.error_not_found({ detail: detailOf(e) }),
  unknown_method: (e) => m.error_unknown_method({ detail: detailOf(e) }),
  unauthorized: () => m.error_unauthorized(),
  forbidden: (e) => m.error_forbidden({ detail: detailOf(e) }),
  lesson_locked: () => m.error_lesson_locked(),
  prediction_pending: () => m.error_prediction_pending(),
  // The host sends the wait with every refusal; a minute is only a fallback for one that did not.
  rate_limited: (e) => m.error_rate_limited({ seconds: Math.max(1, Math.ceil(e.retryAfterSeconds ?? 60)) }),
  payload_too_large: () => m.error_payload_too_large(),
  lab_stopped: () => m.error_lab_stopped(),
  store_unavailable: (e) => m.error_store_unavailable({ detail: detailOf(e) }),
  internal: () => m.error_internal(),
  network: () => m.error_network()
} satisfies Record<CallErrorCode, (error: ApiCallError) => string>

/**
 * What the learner reads for anything a call threw, in the current language: an API failure as
 * its code's sentence, anything else (a fault in the page itself) as such, never as bare text.
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiCallError) return sentences[error.code](error)
  return m.error_unexpected({ detail: error instanceof Error ? error.message : String(error) })
}
