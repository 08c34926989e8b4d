import type { AddressField } from '../../../src-main/core/lesson/lesson.schema.ts'
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

const headerFields: Record<AddressField, () => string> = {
  'src-mac': m.predict_field_src_mac,
  'src-ip': m.predict_field_src_ip,
  'dst-ip': m.predict_field_dst_ip
}

/** What a predict step asks, in the reader's language: the learner's panel and the dashboard say it alike. */
export function predictionPrompt(p: {
  what: 'verdict' | 'drop-stage' | 'arriving-ttl' | 'next-device' | 'address-owner' | 'kube-sep'
  after?: string | null | undefined
  at?: string | null | undefined
  field?: AddressField | null | undefined
}): string {
  switch (p.what) {
    case 'verdict':
      return m.predict_what_verdict()
    case 'drop-stage':
      return m.predict_what_drop_stage()
    case 'arriving-ttl':
      return m.predict_what_arriving_ttl()
    case 'next-device':
      return m.predict_what_next_device({ after: p.after ?? '' })
    case 'address-owner':
      return m.predict_what_address_owner({ field: p.field ? headerFields[p.field]() : '', at: p.at ?? '' })
    case 'kube-sep':
      return m.predict_what_kube_sep()
  }
}
