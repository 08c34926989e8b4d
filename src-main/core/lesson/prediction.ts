import type { TraceFacts } from './lab-facts.ts'
import type { Prediction } from './lesson.schema.ts'

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
