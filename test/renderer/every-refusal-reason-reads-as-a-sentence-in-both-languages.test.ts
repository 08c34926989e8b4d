import { describe, expect, test } from 'vitest'
import {
  errorReasonIds,
  errorReasonSchema,
  fieldProblems,
  scenarioLimits,
  type ErrorReason
} from '../../src-main/api/error-reasons.ts'
import { ApiCallError, errorText } from '../../src-renderer/src/lib/api-error.ts'
import { englishWordsIn, han, inEach } from './localised-refusal.ts'

type Samples = { [Id in ErrorReason['id']]: Extract<ErrorReason, { id: Id }>['params'] }

/** One refusal per reason id, with every optional parameter filled, as the host would send it. */
const samples: Samples = {
  field_invalid: { method: 'profiles:create', field: 'name', expected: 'too_long', limit: 60 },
  unknown_target: { name: 'nosuchpod' },
  unknown_trace: { traceId: 999 },
  unknown_capture_point: { point: 'node-1/cni9', traceId: 3 },
  unknown_sandbox: { sandboxId: 'file-3f2a' },
  unknown_terminal: {},
  lesson_unknown: { lessonId: 'no-such-lesson' },
  lesson_not_open: { lessonId: 'tour' },
  step_not_reached: { lessonId: 'tour', step: 'quiz' },
  learner_unknown: { learnerId: 'lrn_x' },
  review_item_unknown: { itemId: 'rev_1' },
  review_item_closed: { itemId: 'rev_2' },
  answer_invalid: { questionId: 'q-ttl' },
  confirm_mismatch: { name: 'Ada' },
  class_unknown: { classId: 'cls_abcdefgh' },
  join_code_unknown: { code: 'ZZZZZZ' },
  class_name_taken: { name: 'Ada' },
  student_id_required: {},
  seat_code_unknown: { seatCode: 'ZZZZZZ' },
  learner_seat_moved: {},
  learner_class_closed: {},
  class_learner_unknown: { learnerId: 'lrn_x' },
  class_learner: { className: 'Networking 101' },
  class_learner_record: { className: 'Networking 101' },
  own_progress_only: {},
  learner_token_needed: { method: 'class:rejoin' },
  instructor_only: { method: 'class:start' },
  desktop_only: { method: 'classHost:start' },
  class_not_running: {},
  port_in_use: { port: 4318, address: '192.168.1.20' },
  address_gone: { address: '192.168.1.20' },
  port_not_allowed: { port: 80 },
  pack_unknown: { packId: 'workshop-extras' },
  pack_path_invalid: { problem: 'name_too_long', limit: 255 },
  scenario_yaml: { file: 'mine.yaml', problem: 'syntax', line: 3, column: 7 },
  scenario_limit: {
    file: 'mine.yaml',
    field: 'pods[110].node',
    what: 'pods_per_node',
    limit: 110,
    value: 301,
    where: 'server'
  },
  scenario_field: { file: 'mine.yaml', field: 'nodes[0].ip', expected: 'bad_format' },
  scenario_conflict: {
    file: 'mine.yaml',
    field: 'pods[3].ip',
    problem: 'outside',
    value: '10.9.0.5',
    range: '10.42.0.0/16'
  },
  store_read_only: {},
  store_disk_full: {},
  store_schema_too_new: {},
  store_busy: {},
  store_io: {},
  store_conflict: {},
  store_not_found: {},
  store_invalid: {},
  method_unknown: { method: 'lab:capture' }
}

const reasons = errorReasonIds.map((id) => ({ id, params: samples[id] }) as ErrorReason)
const english = 'the host’s English words'

describe('refusal reasons', () => {
  test.each(reasons.map((r) => [r.id, r] as const))(
    '%s reads as a sentence of its own in English and in Chinese',
    (_id, reason) => {
      expect(errorReasonSchema.safeParse(reason).success, 'the sample fits the reason’s schema').toBe(true)
      const { en, zh } = inEach(() =>
        errorText(new ApiCallError('invalid_input', english, undefined, reason))
      )
      expect(en).not.toMatch(han)
      expect(en).not.toContain(english)
      expect(zh, 'zh-CN falls back to another language').toMatch(han)
      expect(englishWordsIn(zh, reason)).toEqual([])
    }
  )

  test('no two reasons share a sentence', () => {
    const texts = reasons.map(
      (r) => inEach(() => errorText(new ApiCallError('not_found', english, undefined, r))).zh
    )
    expect(new Set(texts).size).toBe(reasons.length)
  })

  test('every size problem of a field and every scenario limit is worded in Chinese', () => {
    const variants: ErrorReason[] = [
      ...fieldProblems.map((expected) => ({
        id: 'field_invalid' as const,
        params: { method: 'trace:run', field: 'trace.to', expected, limit: 5 }
      })),
      ...scenarioLimits.map((what) => ({
        id: 'scenario_limit' as const,
        params: { file: 'a.yaml', field: 'pods', what, limit: 1, value: 2, where: 'server' }
      }))
    ]
    for (const reason of variants) {
      const { zh } = inEach(() => errorText(new ApiCallError('invalid_input', english, undefined, reason)))
      expect.soft(englishWordsIn(zh, reason), JSON.stringify(reason.params)).toEqual([])
    }
  })

  test('a field the learner types is named as the form names it, any other path as it is', () => {
    const field = (method: string, path: string): string =>
      inEach(() =>
        errorText(
          new ApiCallError('invalid_input', english, undefined, {
            id: 'field_invalid',
            params: { method, field: path, expected: 'empty' }
          })
        )
      ).zh
    expect(field('profiles:create', 'name')).toContain('个人资料名称')
    expect(field('class:join', 'code')).toContain('加入码')
    expect(field('trace:run', 'trace.to')).toContain('`trace.to`')
  })

  test('without a reason the host’s own words stay the detail, as before', () => {
    const { zh } = inEach(() => errorText(new ApiCallError('invalid_input', 'scenario.yaml: pods[3].node')))
    expect(zh).toContain('scenario.yaml: pods[3].node')
  })
})
