/**
 * The kubectl verbs that change the cluster: apply, create and delete (with `-f FILE` or by
 * name), scale, label, expose and patch. Each sends what kubectl sends, then lets the
 * controllers and kube-proxy catch up before printing, so the next command already sees the
 * replacement pods, endpoints and rules.
 */

import { parseAllDocuments, parse as parseYaml } from 'yaml'
import type { CommandContext, CommandOutput } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { RuleParser } from '../../kube/iptables-writer.ts'
import { syncKubeProxy } from '../../kube/kube-proxy.ts'
import { syncPortmap } from '../../kube/portmap.ts'
import { findObject, kindOfPlural, KINDS } from '../../kube/kinds.ts'
import {
  deleteObject,
  manifestOf,
  putObject,
  removeObject,
  type Context,
  type Mode
} from '../../kube/manifests.ts'
import { jsonPatch, mergePatch } from '../../kube/patches.ts'
import { podsOf, syncWorkloads } from '../../kube/workloads.ts'
import { deletePod, patchService } from '../../scenario/mutations.ts'
import { SCENARIO_LIMITS } from '../../scenario/scenario.schema.ts'
import { cidrSize } from '../../net/index.ts'
import { readVirtualFile } from '../virtual-files.ts'
import { RESOURCES } from './kubectl-get.ts'

const out = (stdout: string, stderr = '', exitCode = 0): CommandOutput => ({ stdout, stderr, exitCode })
const err = (stderr: string, exitCode = 1): CommandOutput => ({ stdout: '', stderr, exitCode })

/** The controllers and every node's kube-proxy react to what the command changed. */
function settle(lab: Lab): void {
  syncWorkloads(lab)
  syncKubeProxy(lab)
  syncPortmap(lab, new RuleParser())
}

/** `TYPE NAME…` or `TYPE/NAME…`, as kubectl's resource builder reads them. */
function targets(args: readonly string[]): { type: string; names: string[] } {
  const [first = '', ...rest] = args
  const slash = first.indexOf('/')
  return slash < 0
    ? { type: first, names: rest }
    : { type: first.slice(0, slash), names: [first.slice(slash + 1), ...rest] }
}

type Docs = { ok: true; docs: unknown[] } | { ok: false; stderr: string }

/** Every object in the files `-f` names (`-` is stdin); `kind: List` contributes its items. */
function readManifests(ctx: CommandContext, files: readonly string[], verb: string): Docs {
  const docs: unknown[] = []
  for (const file of files) {
    let text: string
    if (file === '-') text = ctx.stdin
    else {
      const r = readVirtualFile(ctx, file)
      if (!r.ok) return { ok: false, stderr: `error: the path "${file}" does not exist\n` }
      text = r.text
    }
    for (const d of parseAllDocuments(text)) {
      if (!('errors' in d) || d.errors.length > 0) {
        const e = 'errors' in d ? d.errors[0] : undefined
        const line = e?.linePos?.[0]?.line ?? 1
        const why = (e?.message ?? 'could not parse')
          .split('\n')[0]!
          .replace(/ at line \d+, column \d+:?$/, '')
        return {
          ok: false,
          stderr: `error: error parsing ${file}: error converting YAML to JSON: yaml: line ${line}: ${why.charAt(0).toLowerCase()}${why.slice(1)}\n`
        }
      }
      const value: unknown = d.toJS()
      if (value === null || value === undefined) continue
      const o = value as { kind?: unknown; items?: unknown }
      if (o.kind === 'List' && Array.isArray(o.items)) docs.push(...o.items.map((item) => ({ item, file })))
      else docs.push({ item: value, file })
    }
  }
  if (docs.length === 0) return { ok: false, stderr: `error: no objects passed to ${verb}\n` }
  return { ok: true, docs }
}

interface WriteOptions {
  namespace: string
  namespaceGiven: boolean
}

/** `kubectl apply|create -f FILE…` and `kubectl delete -f FILE…`. */
export function fromFiles(
  ctx: CommandContext,
  verb: Mode | 'delete',
  files: readonly string[],
  opts: WriteOptions
): CommandOutput {
  if (files.length === 0)
    return err(`error: must specify one of -f and -k\n\nSee 'kubectl ${verb} -h' for help and examples\n`)
  const read = readManifests(ctx, files, verb === 'replace' ? 'apply' : verb)
  if (!read.ok) return err(read.stderr)
  let stdout = ''
  let stderr = ''
  for (const d of read.docs as { item: unknown; file: string }[]) {
    const c: Context = {
      lab: ctx.lab,
      file: d.file,
      namespace: opts.namespace,
      namespaceGiven: opts.namespaceGiven
    }
    const r = verb === 'delete' ? deleteObject(c, d.item) : putObject(c, d.item, verb)
    if (r.ok) stdout += r.stdout
    stderr += r.stderr ?? ''
  }
  settle(ctx.lab)
  const failed = stderr.split('\n').some((l) => l !== '' && !l.startsWith('Warning: '))
  return out(stdout, stderr, failed ? 1 : 0)
}

/** `kubectl delete TYPE NAME…`. */
export function deleteByName(
  ctx: CommandContext,
  args: readonly string[],
  opts: WriteOptions
): CommandOutput {
  const { type, names } = targets(args)
  if (type === '')
    return err(
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n"
    )
  const resource = RESOURCES[type]
  if (!resource) return err(`error: the server doesn't have a resource type "${type}"\n`)
  const kind = kindOfPlural(resource)
  if (!kind)
    return err(
      `error: the lab's kubectl deletes pods, services, deployments, replicasets, namespaces and networkpolicies\n`
    )
  if (names.length === 0) return err('error: resource(s) were provided, but no name was specified\n')
  const lab = ctx.lab
  let stdout = ''
  let stderr = ''
  for (const name of names) {
    const live = findObject(lab, kind, opts.namespace, name)
    if (!live) {
      stderr += `Error from server (NotFound): ${KINDS[kind].resource} "${name}" not found\n`
      continue
    }
    const pod = kind === 'Pod' ? (live as (typeof lab.pods)[number]) : undefined
    if (pod && pod.owner === undefined && !pod.bare) {
      // A scenario's own pod: the controller the lab stands for brings it back under its name.
      const r = deletePod(lab, opts.namespace, name)
      if (!r.ok) stderr += `${r.message}\n`
      else stdout += `pod "${name}" deleted\n`
      continue
    }
    const refused = removeObject(lab, kind, live)
    if (refused) stderr += refused
    else {
      lab.lastApplied.delete(`${kind}/${kind === 'Namespace' ? '' : opts.namespace}/${name}`)
      stdout += `${KINDS[kind].prefix} "${name}" deleted\n`
    }
  }
  settle(lab)
  return out(stdout, stderr, stderr === '' ? 0 : 1)
}

/**
 * The lab keeps a scaled cluster within what a scenario file may describe (SCENARIO_LIMITS):
 * the kubelet's maxPods on every node, the cluster's pod total, and the addresses each node's
 * podCIDR has. A real cluster would leave the extra pods Pending; the lab refuses the scale.
 */
function scaleRefusal(lab: Lab, name: string, current: number, replicas: number): string | undefined {
  const after = lab.pods.length - current + replicas
  const perNode = lab.nodes.reduce(
    (sum, n) => sum + Math.min(SCENARIO_LIMITS.podsPerNode, Math.max(0, cidrSize(n.podCIDR) - 3)),
    0
  )
  const most = Math.min(SCENARIO_LIMITS.pods, perNode)
  if (after <= most) return undefined
  return `error: the lab runs at most ${most} pods on ${lab.nodes.length} node${lab.nodes.length === 1 ? '' : 's'} (${SCENARIO_LIMITS.podsPerNode} per node, the kubelet's default maxPods, and ${SCENARIO_LIMITS.pods} in all); scaling ${name} to ${replicas} would make ${after}\n`
}

/** `kubectl scale deployment|replicaset NAME --replicas=N`. */
export function scale(
  ctx: CommandContext,
  args: readonly string[],
  replicasText: string | undefined,
  opts: WriteOptions
): CommandOutput {
  const { type, names } = targets(args)
  const [name] = names
  const resource = RESOURCES[type]
  const statefulSet = ['statefulset', 'statefulsets', 'sts', 'statefulset.apps'].includes(type)
  if ((resource !== 'deployments' && resource !== 'replicasets' && !statefulSet) || name === undefined)
    return err(
      "error: the lab's kubectl scales deployments and replicasets: kubectl scale deployment NAME --replicas=N\n"
    )
  if (replicasText === undefined) return err('error: required flag(s) "replicas" not set\n')
  if (!/^\d+$/.test(replicasText))
    return err(
      `error: invalid argument "${replicasText}" for "--replicas" flag: strconv.ParseInt: parsing "${replicasText}": invalid syntax\nSee 'kubectl scale --help' for usage.\n`
    )
  const replicas = Number(replicasText)
  const lab = ctx.lab
  if (statefulSet) return err(`Error from server (NotFound): statefulsets.apps "${name}" not found\n`)
  const list = resource === 'deployments' ? lab.deployments : lab.replicaSets
  const target = list.find((x) => x.namespace === opts.namespace && x.name === name)
  if (!target) return err(`Error from server (NotFound): ${resource}.apps "${name}" not found\n`)
  const current =
    'generation' in target
      ? lab.replicaSets
          .filter((rs) => rs.namespace === target.namespace && rs.deployment === target.name)
          .reduce((n, rs) => n + podsOf(lab, rs).length, 0)
      : podsOf(lab, target).length
  const refused = scaleRefusal(lab, name, current, replicas)
  if (refused !== undefined) return err(refused)
  target.replicas = replicas
  settle(lab)
  return out(`${resource === 'deployments' ? 'deployment.apps' : 'replicaset.apps'}/${name} scaled\n`)
}

/** `kubectl label pods NAME key=value… key-… [--overwrite]`. */
export function label(
  ctx: CommandContext,
  args: readonly string[],
  overwrite: boolean,
  opts: WriteOptions
): CommandOutput {
  const [first = '', ...rest] = args
  const slashed = first.includes('/')
  const type = slashed ? first.split('/')[0]! : first
  const name = slashed ? first.split('/')[1] : rest[0]
  const changes = slashed ? rest : rest.slice(1)
  if (RESOURCES[type] !== 'pods' || name === undefined)
    return err("error: the lab's kubectl labels pods: kubectl label pod NAME key=value\n")
  if (changes.length === 0) return err('error: at least one label update is required\n')
  const pod = ctx.lab.pods.find((p) => p.namespace === opts.namespace && p.name === name)
  if (!pod) return err(`Error from server (NotFound): pods "${name}" not found\n`)
  const labels = { ...pod.labels }
  for (const c of changes) {
    if (c.endsWith('-')) {
      delete labels[c.slice(0, -1)]
      continue
    }
    const eq = c.indexOf('=')
    if (eq <= 0) return err(`error: invalid label spec: ${c}\n`)
    const key = c.slice(0, eq)
    const value = c.slice(eq + 1)
    if (!overwrite && pod.labels[key] !== undefined && pod.labels[key] !== value)
      return err(`error: '${key}' already has a value (${pod.labels[key]}), and --overwrite is false\n`)
    labels[key] = value
  }
  const before = JSON.stringify(pod.labels)
  const removedOnly = Object.keys(labels).length < Object.keys(pod.labels).length && !overwrite
  pod.labels = labels
  settle(ctx.lab)
  const what = before === JSON.stringify(labels) ? 'not labeled' : removedOnly ? 'unlabeled' : 'labeled'
  return out(`pod/${name} ${what}\n`)
}

interface ExposeOptions extends WriteOptions {
  port: string | undefined
  targetPort: string | undefined
  name: string | undefined
  type: string | undefined
  protocol: string | undefined
}

/** `kubectl expose deployment|rs|pod|svc NAME --port=P`: a Service selecting what it selects. */
export function expose(ctx: CommandContext, args: readonly string[], o: ExposeOptions): CommandOutput {
  const { type, names } = targets(args)
  const [name] = names
  const resource = RESOURCES[type]
  const kind = resource === undefined ? undefined : kindOfPlural(resource)
  const help = "See 'kubectl expose -h' for help and examples\n"
  if (!kind || kind === 'Namespace' || name === undefined)
    return err(
      resource === undefined && type !== ''
        ? `error: the server doesn't have a resource type "${type}"\n`
        : `error: You must provide one or more resources by argument or filename.\n${help}`
    )
  const lab = ctx.lab
  const live = findObject(lab, kind, o.namespace, name)
  if (!live) return err(`Error from server (NotFound): ${KINDS[kind].resource} "${name}" not found\n`)
  if (kind === 'EndpointSlice') return err(`error: cannot expose a EndpointSlice.discovery.k8s.io\n`)
  let selector: Record<string, string>
  let ports: number[]
  if (kind === 'Service') {
    const svc = live as (typeof lab.services)[number]
    selector = svc.selector
    ports = svc.ports.map((p) => p.port)
  } else if (kind === 'Pod') {
    const pod = live as (typeof lab.pods)[number]
    selector = pod.labels
    ports = pod.containers.flatMap((c) => (c.port === undefined ? [] : [c.port]))
  } else {
    const w = live as { selector: Record<string, string>; template: { containers: { port?: number }[] } }
    selector = w.selector
    ports = w.template.containers.flatMap((c) => (c.port === undefined ? [] : [c.port]))
  }
  if (Object.keys(selector).length === 0)
    return err(
      `error: couldn't retrieve selectors via --selector flag or introspection: the ${kind === 'Pod' ? 'pod has no labels' : 'object has no selector'} and cannot be exposed\n${help}`
    )
  const chosen = o.port !== undefined ? [Number(o.port)] : ports
  if (chosen.length === 0 || chosen.some((p) => !Number.isInteger(p)))
    return err(`error: couldn't find port via --port flag or introspection\n${help}`)
  const target = o.targetPort === undefined ? undefined : Number(o.targetPort)
  const doc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name ?? name, namespace: o.namespace },
    spec: {
      ...(o.type === undefined ? {} : { type: o.type }),
      selector,
      ports: chosen.map((p, i) => ({
        ...(chosen.length > 1 ? { name: `port-${i + 1}` } : {}),
        port: p,
        protocol: o.protocol ?? 'TCP',
        targetPort: target ?? p
      }))
    }
  }
  const r = putObject({ lab, file: '', namespace: o.namespace, namespaceGiven: false }, doc, 'create')
  if (!r.ok) return err(r.stderr.replace(/error when creating "": /, ''))
  settle(lab)
  return out(`service/${o.name ?? name} exposed\n`)
}

interface PatchOptions extends WriteOptions {
  patch: string | undefined
  type: string
}

/** `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]`. */
export function patch(ctx: CommandContext, args: readonly string[], o: PatchOptions): CommandOutput {
  const { type, names } = targets(args)
  const [name] = names
  const resource = RESOURCES[type]
  const kind = resource === undefined ? undefined : kindOfPlural(resource)
  if (!kind || kind === 'Namespace' || kind === 'EndpointSlice' || name === undefined)
    return err(
      "error: the lab's kubectl patches services, deployments, replicasets and pods: kubectl patch svc NAME -p PATCH\n"
    )
  if (o.patch === undefined)
    return err('error: must specify --patch or --patch-file containing the contents of the patch\n')
  if (o.type !== 'strategic' && o.type !== 'merge' && o.type !== 'json')
    return err(`error: --type must be one of [json merge strategic], not "${o.type}"\n`)
  let body: unknown
  try {
    body = parseYaml(o.patch)
  } catch (e) {
    return err(`error: unable to parse "${o.patch}": ${(e as Error).message.split('\n')[0] ?? ''}\n`)
  }
  const lab = ctx.lab
  const live = findObject(lab, kind, o.namespace, name)
  if (!live) return err(`Error from server (NotFound): ${KINDS[kind].resource} "${name}" not found\n`)
  if (kind === 'Service') {
    const svc = live as (typeof lab.services)[number]
    let servicePatch = body
    let serviceType: 'strategic' | 'merge' = o.type === 'json' ? 'merge' : o.type
    if (o.type === 'json') {
      // A JSON patch on the fields lessons repair, sent on as the whole new selector and ports.
      const before = { spec: { selector: { ...svc.selector }, ports: svc.ports.map((p) => ({ ...p })) } }
      const r = jsonPatch(before, body)
      if (!r.ok) return err(`Error from server: ${r.message}\n`)
      const spec = (r.doc as { spec?: { selector?: Record<string, string>; ports?: unknown } }).spec ?? {}
      const selector: Record<string, string | null> = { ...(spec.selector ?? {}) }
      for (const k of Object.keys(svc.selector)) if (!(k in selector)) selector[k] = null
      servicePatch = { spec: { selector, ports: spec.ports ?? [] } }
      serviceType = 'merge'
    }
    const r = patchService(lab, o.namespace, name, servicePatch, serviceType)
    if (!r.ok) return err(`${r.message}\n`)
    return out(`service/${name} patched${r.changed ? '' : ' (no change)'}\n`)
  }
  const doc = manifestOf(kind, live)
  let next: unknown
  if (o.type === 'json') {
    const r = jsonPatch(doc as never, body)
    if (!r.ok) return err(`Error from server: ${r.message}\n`)
    next = r.doc
  } else next = mergePatch(doc as never, body as never, o.type === 'strategic')
  const r = putObject({ lab, file: '', namespace: o.namespace, namespaceGiven: false }, next, 'replace')
  if (!r.ok) return err(r.stderr)
  settle(lab)
  return out(r.stdout)
}
