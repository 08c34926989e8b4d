import { m } from './i18n/index.ts'
import { dropLabels } from './trace-view.ts'

/** A predicted or real value as a learner reads it: verdicts and drop reasons localised, names as the cluster spells them. */
export function predictionText(value: string | number): string {
  if (value === 'delivered') return m.predict_delivered()
  if (value === 'dropped') return m.predict_dropped()
  if (value === 'none') return m.predict_none()
  if (typeof value === 'string' && value in dropLabels) return dropLabels[value as keyof typeof dropLabels]()
  return String(value)
}
