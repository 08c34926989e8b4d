/**
 * Field selectors as the apiserver takes them (k8s.io/apimachinery pkg/fields/selector.go):
 * comma-joined `field=value`, `field==value`, `field!=value`, each field one the resource
 * offers. Pods and nodes convert their field labels themselves (pkg/registry/core/pod,
 * pkg/registry/core/node), so they refuse an unknown one in other words than the rest.
 */

export interface FieldRequirement {
  readonly field: string
  readonly equal: boolean
  readonly value: string
}

/** The fields each resource selects on, and whether it uses its own field-label conversion. */
export const SELECTABLE_FIELDS: Record<string, { fields: readonly string[]; ownConversion: boolean }> = {
  pods: {
    fields: [
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName'
    ],
    ownConversion: true
  },
  nodes: { fields: ['metadata.name', 'spec.unschedulable'], ownConversion: true },
  services: {
    fields: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'],
    ownConversion: false
  },
  endpoints: { fields: ['metadata.name', 'metadata.namespace'], ownConversion: false },
  endpointslices: { fields: ['metadata.name', 'metadata.namespace'], ownConversion: false },
  deployments: { fields: ['metadata.name', 'metadata.namespace'], ownConversion: false },
  daemonsets: { fields: ['metadata.name', 'metadata.namespace'], ownConversion: false },
  configmaps: { fields: ['metadata.name', 'metadata.namespace'], ownConversion: false },
  replicasets: { fields: ['metadata.name', 'metadata.namespace', 'status.replicas'], ownConversion: true },
  namespaces: { fields: ['metadata.name', 'status.phase'], ownConversion: true },
  events: {
    fields: [
      'metadata.name',
      'metadata.namespace',
      'involvedObject.kind',
      'involvedObject.name',
      'involvedObject.namespace',
      'reason',
      'type'
    ],
    ownConversion: true
  }
}

export type FieldSelectorResult =
  | { readonly ok: true; readonly requirements: readonly FieldRequirement[] }
  | { readonly ok: false; readonly message: string }

export function parseFieldSelector(text: string, resource: string): FieldSelectorResult {
  const requirements: FieldRequirement[] = []
  for (const part of text === '' ? [] : text.split(',')) {
    const m = /^([^=!]*)(!=|==|=)(.*)$/.exec(part)
    if (!m) return { ok: false, message: `invalid selector: '${text}'; can't understand '${part}'` }
    requirements.push({ field: m[1]!, equal: m[2] !== '!=', value: m[3]! })
  }
  const spec = SELECTABLE_FIELDS[resource]
  const unknown = spec && requirements.find((r) => !spec.fields.includes(r.field))
  if (spec && unknown) {
    const reason = spec.ownConversion
      ? `field label not supported: ${unknown.field}`
      : `"${unknown.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
    return { ok: false, message: reason }
  }
  return { ok: true, requirements }
}

export function matchesFields(
  requirements: readonly FieldRequirement[],
  fields: Readonly<Record<string, string>>
): boolean {
  return requirements.every((r) => (fields[r.field] === r.value) === r.equal)
}
