import { RuleParser } from '../kube/iptables-writer.ts'
import { syncKubeProxy } from '../kube/kube-proxy.ts'
import { syncPortmap } from '../kube/portmap.ts'
import type { Lab } from '../kube/lab.ts'
import type { KubePod } from '../kube/objects.ts'
import { createPod, removePodSandbox, type SandboxPodSpec } from '../kube/pod-sandbox.ts'

function specOf(pod: KubePod, name = pod.name): SandboxPodSpec {
  return {
    name,
    namespace: pod.namespace,
    node: pod.node,
    labels: { ...pod.labels },
    shareProcessNamespace: pod.shareProcessNamespace,
    hostNetwork: pod.hostNetwork,
    containers: pod.containers.map((c) => ({
      name: c.name,
      image: c.image,
      app: c.app,
      ...(c.port === undefined ? {} : { port: c.port }),
      ...(c.portName === undefined ? {} : { portName: c.portName }),
      ...(c.hostPort === undefined ? {} : { hostPort: c.hostPort })
    }))
  }
}

export type PodMutationResult = { ok: true; pods: string[] } | { ok: false; message: string }

/**
 * `kubectl delete pod NAME`: the pod's controller replaces it (same name, as a StatefulSet
 * would, on the same node), host-local hands it the next free address, and kube-proxy resyncs,
 * so endpoints and rules follow the new IP.
 */
export function deletePod(lab: Lab, namespace: string, name: string): PodMutationResult {
  const pod = lab.pods.find((p) => p.namespace === namespace && p.name === name)
  if (!pod) return { ok: false, message: `Error from server (NotFound): pods "${name}" not found` }
  removePodSandbox(lab, pod)
  createPod(lab, specOf(pod))
  syncKubeProxy(lab)
  syncPortmap(lab, new RuleParser())
  return { ok: true, pods: [name] }
}

export type ServicePatchResult = { ok: true; changed: boolean } | { ok: false; message: string }

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * `kubectl patch service NAME -p PATCH` for the fields lessons repair: `spec.selector` (a map:
 * keys merge, `null` removes one) and `spec.ports`. A strategic merge patch merges ports by
 * their `port` key and appends unknown ones; a JSON merge patch (`--type merge`) replaces the
 * whole list. kube-proxy resyncs, so endpoints and rules follow at once.
 */
export function patchService(
  lab: Lab,
  namespace: string,
  name: string,
  patch: unknown,
  type: 'strategic' | 'merge'
): ServicePatchResult {
  const svc = lab.services.find((s) => s.namespace === namespace && s.name === name)
  if (!svc) return { ok: false, message: `Error from server (NotFound): services "${name}" not found` }
  const unsupported = {
    ok: false,
    message: "error: the lab's kubectl patches a Service's spec.selector and spec.ports only"
  } as const
  if (!isMap(patch) || Object.keys(patch).some((k) => k !== 'spec') || !isMap(patch.spec)) return unsupported
  const spec = patch.spec
  if (Object.keys(spec).some((k) => k !== 'selector' && k !== 'ports')) return unsupported
  const selector = { ...svc.selector }
  if (spec.selector !== undefined) {
    if (spec.selector === null) for (const k of Object.keys(selector)) delete selector[k]
    else if (!isMap(spec.selector))
      return { ok: false, message: 'Error from server (BadRequest): spec.selector must be a map of strings' }
    else
      for (const [k, v] of Object.entries(spec.selector)) {
        if (v === null) delete selector[k]
        else if (typeof v === 'string') selector[k] = v
        else
          return { ok: false, message: `Error from server (BadRequest): spec.selector.${k} must be a string` }
      }
  }
  let ports = svc.ports.map((p) => ({ ...p }))
  if (spec.ports !== undefined) {
    if (!Array.isArray(spec.ports))
      return { ok: false, message: 'Error from server (BadRequest): spec.ports must be a list' }
    const next = type === 'merge' ? [] : ports
    for (const [i, item] of spec.ports.entries()) {
      if (!isMap(item) || typeof item.port !== 'number')
        return {
          ok: false,
          message: `The Service "${name}" is invalid: spec.ports[${i}].port: Required value`
        }
      if (Object.keys(item).some((k) => !['name', 'port', 'targetPort', 'protocol'].includes(k)))
        return unsupported
      const target = item.targetPort
      if (target !== undefined && (typeof target !== 'number' || !Number.isInteger(target)))
        return { ok: false, message: "error: the lab's kubectl takes a numeric targetPort only" }
      for (const [field, value] of [
        ['port', item.port],
        ['targetPort', target]
      ] as const) {
        if (value !== undefined && (value < 1 || value > 65535))
          return {
            ok: false,
            message: `The Service "${name}" is invalid: spec.ports[${i}].${field}: Invalid value: ${value}: must be between 1 and 65535, inclusive`
          }
      }
      if (item.protocol !== undefined && item.protocol !== 'TCP' && item.protocol !== 'UDP')
        return unsupported
      const existing = next.find((p) => p.port === item.port)
      if (existing) {
        if (target !== undefined) existing.targetPort = target
        if (typeof item.name === 'string') existing.name = item.name
        if (item.protocol !== undefined) existing.protocol = item.protocol
      } else {
        next.push({
          ...(typeof item.name === 'string' ? { name: item.name } : {}),
          port: item.port,
          targetPort: target ?? item.port,
          protocol: item.protocol ?? 'TCP'
        })
      }
    }
    ports = next
  }
  const changed =
    JSON.stringify(selector) !== JSON.stringify(svc.selector) ||
    JSON.stringify(ports) !== JSON.stringify(svc.ports)
  if (changed) {
    svc.selector = selector
    svc.ports = ports
    syncKubeProxy(lab)
  }
  return { ok: true, changed }
}
