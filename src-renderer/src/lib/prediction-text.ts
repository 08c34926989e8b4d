import { m } from './i18n/index.ts'
import { dropLabels } from './trace-view.ts'

/**
 * A predicted or real value as a learner reads it: verdicts and drop reasons localised, names as
 * the cluster spells them, and for `address-owner` an interface's id read as that interface's address.
 */
export function predictionText(value: string | number, what?: string): string {
  if (value === 'delivered') return m.predict_delivered()
  if (value === 'dropped') return m.predict_dropped()
  if (value === 'none') return m.predict_none()
  if (typeof value === 'string' && value in dropLabels) return dropLabels[value as keyof typeof dropLabels]()
  if (what === 'address-owner' && typeof value === 'string' && value.includes('/'))
    return m.predict_address_of({ device: value })
  return String(value)
}
