import { ApiError } from '../api/envelope.ts'
import type { Lab } from '../core/kube/lab.ts'
import { sameProbe } from '../core/lesson/lab-adapter.ts'
import type { TraceSpec } from '../core/lesson/lesson.schema.ts'

/** A prediction the learner has reached but not locked in: its step, and the packet it asks about. */
export interface PendingPrediction {
  stepId: string
  trace: TraceSpec
}

/**
 * Refuses to trace the packet a pending prediction asks about, in the lesson's lab or in a free-play
 * copy of its scenario: that trace is the answer. Every other packet, and every shell command, runs.
 */
export function refusePredictedProbe(
  lab: Lab,
  pending: PendingPrediction | undefined,
  spec: TraceSpec
): void {
  if (pending && sameProbe(lab, pending.trace, spec)) {
    throw new ApiError(
      'prediction_pending',
      `trace: this is the packet step "${pending.stepId}" asks you to predict; lock in your prediction first`
    )
  }
}
