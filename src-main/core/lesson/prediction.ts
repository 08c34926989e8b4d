import type { TraceFacts } from './lab-facts.ts'
import type { Justification, Prediction, Step } from './lesson.schema.ts'

/**
 * Predictions are judged against what the simulator did, not against the author's key: the
 * key exists so `podnet lessons check` can prove the author and the simulator agree.
 */

/** A stage name, object id or pod name, or a TTL. */
export type PredictionValue = string | number

/** What a reality that has no value for the question looks like (no arriving TTL when dropped). */
export const NO_VALUE = 'none'

/** What the simulator's trace says for this kind of prediction. */
export function realityOf(prediction: Prediction, trace: TraceFacts): PredictionValue {
  switch (prediction.what) {
    case 'verdict':
      return trace.verdict
    case 'drop-stage':
      return trace.verdict === 'delivered' ? 'delivered' : (trace.dropStage ?? NO_VALUE)
    case 'arriving-ttl':
      return trace.arrivingTtl ?? NO_VALUE
    case 'next-device': {
      const index = trace.hops.findIndex((hop) => hop.device === prediction.after)
      const next = trace.hops.slice(index + 1).find((hop) => hop.device !== prediction.after)
      return index >= 0 && next ? next.device : NO_VALUE
    }
    case 'kube-sep':
      return trace.kubeSep?.pod ?? NO_VALUE
    case 'address-owner': {
      const at = trace.hops.filter((hop) => hop.device === prediction.at && hop.addresses)
      const frame = at.find((hop) => hop.stage === 'link-xmit') ?? at[0]
      return frame?.addresses?.[prediction.field] ?? NO_VALUE
    }
  }
}

export function predictionCorrect(
  prediction: Prediction,
  value: PredictionValue,
  reality: PredictionValue
): boolean {
  if (prediction.what === 'arriving-ttl') return Number(value) === reality
  return value === reality
}

/** Whether the learner picked the reason that is the mechanism at work. */
export function justificationCorrect(justification: Justification, optionId: string | undefined): boolean {
  return justification.options.some((option) => option.correct && option.id === optionId)
}

/**
 * Whether a prediction event answers what the step asks: a justification exactly when the step
 * wants one, naming one of its options.
 */
export function predictionComplete(
  step: Extract<Step, { kind: 'predict' }>,
  justification: string | undefined
): boolean {
  if (!step.justification) return justification === undefined
  return step.justification.options.some((option) => option.id === justification)
}

/** The prediction the answer key makes: what the checker and the auto-solver lock in. */
export function keyedPrediction(step: Extract<Step, { kind: 'predict' }>): {
  type: 'user.predict'
  value: PredictionValue
  justification?: string
} {
  const reason = step.justification?.options.find((option) => option.correct)
  return {
    type: 'user.predict',
    value: step.prediction.answer,
    ...(reason ? { justification: reason.id } : {})
  }
}
