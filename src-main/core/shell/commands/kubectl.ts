/**
 * `kubectl` (v1.31 output) over the lab's Kubernetes objects: get pods|svc|endpoints|
 * endpointslices|nodes [-o wide], describe svc, logs, exec; and `crictl pods|ps` on nodes.
 * Tables follow kubectl's tabwriter (3 spaces of padding) and crictl's (20-wide columns).
 */

import type { Command, CommandContext, CommandOutput } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import type { KubePod, KubeService } from '../../kube/objects.ts'
import { endpointsOf } from '../../kube/endpoints.ts'
import { parse as parseYaml } from 'yaml'
import { deletePod, patchService, scaleReplicas } from '../../scenario/mutations.ts'
import { cidrSize, formatIpv4, sha256 } from '../../net/index.ts'
import { SCENARIO_LIMITS } from '../../scenario/scenario.schema.ts'
import { getopt, has, lastValue } from '../getopt.ts'
import { findPod, podTarget } from '../targets.ts'
import { shellQuote } from '../quote.ts'

const out = (stdout: string): CommandOutput => ({ stdout, stderr: '', exitCode: 0 })
const err = (stderr: string, exitCode = 1): CommandOutput => ({ stdout: '', stderr, exitCode })

/** Go's text/tabwriter as kubectl configures it: minwidth 6, padding 3, last column unpadded. */
export function tabulate(rows: readonly (readonly string[])[], minWidth = 6, padding = 3): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows
    .map(
      (r) =>
        `${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(Math.max(minWidth, (widths[i] ?? 0) + padding)))).join('')}\n`
    )
    .join('')
}

/** k8s.io/apimachinery duration.HumanDuration: the AGE column. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  const days = Math.floor(hours / 24)
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`
  return `${Math.floor(days / 365)}y`
}

/** github.com/docker/go-units HumanDuration + " ago": crictl's CREATED column. */
export function unitsAgo(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 1) return 'Less than a second ago'
  if (s === 1) return '1 second ago'
  if (s < 60) return `${s} seconds ago`
  const m = Math.floor(s / 60)
  if (m === 1) return 'About a minute ago'
  if (m < 60) return `${m} minutes ago`
  const h = Math.round(s / 3600)
  if (h === 1) return 'About an hour ago'
  if (h < 48) return `${h} hours ago`
  return `${Math.floor(h / 24)} days ago`
}

const RESOURCES: Record<string, 'pods' | 'services' | 'endpoints' | 'endpointslices' | 'nodes'> = {
  po: 'pods',
  pod: 'pods',
  pods: 'pods',
  svc: 'services',
  service: 'services',
  services: 'services',
  ep: 'endpoints',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  endpointslices: 'endpointslices',
  'endpointslices.discovery.k8s.io': 'endpointslices',
  no: 'nodes',
  node: 'nodes',
  nodes: 'nodes'
}

function podStatus(pod: KubePod): { ready: string; status: string; restarts: string } {
  const running = pod.containers.filter((c) => c.state === 'Running').length
  const crashing = pod.containers.find((c) => c.state === 'CrashLoopBackOff')
  const restarts = pod.containers.reduce((a, c) => a + c.restartCount, 0)
  return {
    ready: `${running}/${pod.containers.length}`,
    status: crashing ? 'CrashLoopBackOff' : 'Running',
    restarts: String(restarts)
  }
}

function portsText(svc: KubeService): string {
  return svc.ports
    .map((p) =>
      p.nodePort === undefined ? `${p.port}/${p.protocol}` : `${p.port}:${p.nodePort}/${p.protocol}`
    )
    .join(',')
}

function selectorText(sel: Record<string, string>): string {
  const keys = Object.keys(sel).sort()
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${sel[k] ?? ''}`).join(',')
}

/** Endpoints' ENDPOINTS column: at most three, then "+ N more...". */
function endpointList(lab: Lab, svc: KubeService): string[] {
  return svc.ports.flatMap((p) => endpointsOf(lab, svc, p).map((e) => `${formatIpv4(e.ip)}:${e.port}`))
}

function abbreviate(list: readonly string[]): string {
  if (list.length === 0) return '<none>'
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',')
}

/** EndpointSlice names are the Service name plus five random characters, stable per Service. */
function sliceName(svc: KubeService): string {
  // The apiserver names the slice it keeps for its own Service after the Service.
  if (svc.fixedEndpoints) return svc.name
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  const h = sha256(`${svc.namespace}/${svc.name}`)
  return `${svc.name}-${Array.from(h.slice(0, 5), (b) => alphabet[b % alphabet.length]).join('')}`
}

interface GetOptions {
  readonly wide: boolean
  /** `--show-labels`: a LABELS column after all others. */
  readonly showLabels: boolean
  readonly allNamespaces: boolean
  readonly namespace: string
  readonly names: readonly string[]
}

function getCommand(lab: Lab, kind: (typeof RESOURCES)[string], o: GetOptions): CommandOutput {
  const now = lab.clock.nowMs
  // The API server lists objects in key order: by namespace, then name.
  const byKey = (a: { namespace: string; name: string }, b: { namespace: string; name: string }): number => {
    const ka = `${a.namespace}/${a.name}`
    const kb = `${b.namespace}/${b.name}`
    return ka < kb ? -1 : ka > kb ? 1 : 0
  }
  const inScope = <T extends { namespace: string; name: string }>(items: readonly T[]): T[] =>
    items
      .filter(
        (x) =>
          (o.allNamespaces || x.namespace === o.namespace) &&
          (o.names.length === 0 || o.names.includes(x.name))
      )
      .sort(byKey)
  const nsCol = (x: { namespace: string }): string[] => (o.allNamespaces ? [x.namespace] : [])
  const nsHead = o.allNamespaces ? ['NAMESPACE'] : []
  const missing = (what: string, items: readonly { name: string }[]): CommandOutput | undefined => {
    const absent = o.names.find((n) => !items.some((x) => x.name === n))
    return absent === undefined
      ? undefined
      : err(`Error from server (NotFound): ${what} "${absent}" not found\n`)
  }
  const none = (): CommandOutput =>
    err(o.allNamespaces ? 'No resources found\n' : `No resources found in ${o.namespace} namespace.\n`, 0)
  switch (kind) {
    case 'pods': {
      const pods = inScope(lab.pods)
      const miss = missing('pods', pods)
      if (miss) return miss
      if (pods.length === 0) return none()
      const head = [
        ...nsHead,
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
        ...(o.wide ? ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] : []),
        ...(o.showLabels ? ['LABELS'] : [])
      ]
      const rows = pods.map((p) => {
        const s = podStatus(p)
        return [
          ...nsCol(p),
          p.name,
          s.ready,
          s.status,
          s.restarts,
          humanDuration(now - p.createdAt),
          ...(o.wide ? [formatIpv4(p.ip), p.node, '<none>', '<none>'] : []),
          ...(o.showLabels ? [selectorText(p.labels)] : [])
        ]
      })
      return out(tabulate([head, ...rows]))
    }
    case 'services': {
      const svcs = inScope(lab.services)
      const miss = missing('services', svcs)
      if (miss) return miss
      if (svcs.length === 0) return none()
      const head = [
        ...nsHead,
        'NAME',
        'TYPE',
        'CLUSTER-IP',
        'EXTERNAL-IP',
        'PORT(S)',
        'AGE',
        ...(o.wide ? ['SELECTOR'] : [])
      ]
      const rows = svcs.map((s) => [
        ...nsCol(s),
        s.name,
        s.type,
        formatIpv4(s.clusterIP),
        '<none>',
        portsText(s),
        humanDuration(now - s.createdAt),
        ...(o.wide ? [selectorText(s.selector)] : [])
      ])
      return out(tabulate([head, ...rows]))
    }
    case 'endpoints': {
      const svcs = inScope(lab.services)
      const miss = missing('endpoints', svcs)
      if (miss) return miss
      if (svcs.length === 0) return none()
      const rows = svcs.map((s) => [
        ...nsCol(s),
        s.name,
        abbreviate(endpointList(lab, s)),
        humanDuration(now - s.createdAt)
      ])
      return out(tabulate([[...nsHead, 'NAME', 'ENDPOINTS', 'AGE'], ...rows]))
    }
    case 'endpointslices': {
      const svcs = inScope(lab.services).filter((s) => o.names.length === 0 || o.names.includes(sliceName(s)))
      if (svcs.length === 0) return none()
      const rows = svcs.map((s) => {
        const eps = s.ports.flatMap((p) => endpointsOf(lab, s, p))
        const ips = [...new Set(eps.map((e) => formatIpv4(e.ip)))]
        const ports =
          eps.length === 0 ? '<unset>' : [...new Set(s.ports.map((p) => String(p.targetPort)))].join(',')
        return [
          ...nsCol(s),
          sliceName(s),
          'IPv4',
          ports,
          ips.length === 0 ? '<unset>' : abbreviate(ips),
          humanDuration(now - s.createdAt)
        ]
      })
      return out(tabulate([[...nsHead, 'NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'], ...rows]))
    }
    case 'nodes': {
      const nodes = lab.nodes
        .filter((n) => o.names.length === 0 || o.names.includes(n.name))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      const absent = o.names.find((n) => !lab.nodes.some((x) => x.name === n))
      if (absent !== undefined) return err(`Error from server (NotFound): nodes "${absent}" not found\n`)
      const head = [
        'NAME',
        'STATUS',
        'ROLES',
        'AGE',
        'VERSION',
        ...(o.wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : [])
      ]
      const version = `v${lab.scenario.cluster.kubeProxy.version}.0`
      const rows = nodes.map((n) => [
        n.name,
        'Ready',
        // kubeadm labels the first node it initialises as the control plane.
        lab.nodes.indexOf(n) === 0 ? 'control-plane' : '<none>',
        humanDuration(now),
        version,
        ...(o.wide
          ? [
              formatIpv4(n.ip),
              '<none>',
              'Debian GNU/Linux 12 (bookworm)',
              '6.1.0-28-amd64',
              'containerd://1.6.20'
            ]
          : [])
      ])
      return out(tabulate([head, ...rows]))
    }
  }
}

function describeService(lab: Lab, svc: KubeService): string {
  const lines: [string, string][] = [
    ['Name:', svc.name],
    ['Namespace:', svc.namespace],
    ['Labels:', '<none>'],
    ['Annotations:', '<none>'],
    ['Selector:', selectorText(svc.selector)],
    ['Type:', svc.type],
    ['IP Family Policy:', 'SingleStack'],
    ['IP Families:', 'IPv4'],
    ['IP:', formatIpv4(svc.clusterIP)],
    ['IPs:', formatIpv4(svc.clusterIP)]
  ]
  for (const p of svc.ports) {
    const name = p.name ?? '<unset>'
    lines.push(['Port:', `${name}  ${p.port}/${p.protocol}`])
    lines.push(['TargetPort:', `${p.targetPort}/${p.protocol}`])
    if (p.nodePort !== undefined) lines.push(['NodePort:', `${name}  ${p.nodePort}/${p.protocol}`])
    const eps = endpointsOf(lab, svc, p).map((e) => `${formatIpv4(e.ip)}:${e.port}`)
    lines.push(['Endpoints:', eps.length === 0 ? '<none>' : eps.join(',')])
  }
  lines.push(['Session Affinity:', 'None'])
  if (svc.type === 'NodePort') lines.push(['External Traffic Policy:', svc.externalTrafficPolicy])
  lines.push(['Internal Traffic Policy:', 'Cluster'])
  lines.push(['Events:', '<none>'])
  const width = Math.max(...lines.map(([k]) => k.length)) + 2
  return lines.map(([k, v]) => `${k.padEnd(width)}${v}\n`).join('')
}

const KUBECTL_OPTS = {
  short: 'n:o:c:Aitl:p:h',
  long: {
    namespace: { key: 'n', arg: true },
    output: { key: 'o', arg: true },
    container: { key: 'c', arg: true },
    'all-namespaces': { key: 'A', arg: false },
    stdin: { key: 'i', arg: false },
    tty: { key: 't', arg: false },
    selector: { key: 'l', arg: true },
    replicas: { key: 'replicas', arg: true },
    patch: { key: 'p', arg: true },
    type: { key: 'type', arg: true },
    'show-labels': { key: 'show-labels', arg: false },
    help: { key: 'h', arg: false }
  }
} as const

const KUBECTL_HELP = `kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (lab):
  get           Display one or many resources
  describe      Show details of a specific resource or group of resources
  delete        Delete resources by file names, stdin, resources and names, or by resources and label selector
  scale         Set a new size for a deployment, replica set, or replication controller
  patch         Update fields of a resource
  logs          Print the logs for a container in a pod
  exec          Execute a command in a container

Usage:
  kubectl [flags] [options]
`

export const kubectlCommand: Command = {
  name: 'kubectl',
  summary:
    'get pods|svc|endpoints|endpointslices|nodes [-o wide] [--show-labels], describe svc, logs, exec, delete pod, scale, patch svc',
  subcommands: ['get', 'describe', 'logs', 'exec', 'delete', 'scale', 'patch'],
  availableOn: ['node', 'external'],
  run(argv, ctx) {
    const dash = argv.indexOf('--')
    const before = dash < 0 ? argv : argv.slice(0, dash)
    const after = dash < 0 ? [] : argv.slice(dash + 1)
    const r = getopt('kubectl', before, KUBECTL_OPTS)
    if (!r.ok) {
      const flag = /'(-[^']*)'|-- '(.)'/.exec(r.message)
      const name = flag?.[1] ?? (flag?.[2] !== undefined ? `-${flag[2]}` : '')
      return err(
        `error: unknown flag: ${name.startsWith('--') ? name : `shorthand flag: '${name.slice(1)}' in ${name}`}\nSee 'kubectl --help' for usage.\n`
      )
    }
    const o = r.value
    const [verb, ...args] = o.operands
    if (verb === undefined || has(o, 'h')) return out(KUBECTL_HELP)
    const namespace = lastValue(o, 'n') ?? 'default'
    switch (verb) {
      case 'get': {
        const [resource, ...names] = args
        if (resource === undefined)
          return err(
            'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples\n'
          )
        const kind = RESOURCES[resource]
        if (!kind) return err(`error: the server doesn't have a resource type "${resource}"\n`)
        const output = lastValue(o, 'o')
        if (output !== undefined && output !== 'wide')
          return err(
            `error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n`
          )
        return getCommand(ctx.lab, kind, {
          wide: output === 'wide',
          showLabels: has(o, 'show-labels'),
          allNamespaces: has(o, 'A'),
          namespace,
          names
        })
      }
      case 'describe': {
        const [resource, name] = args
        const kind = resource === undefined ? undefined : RESOURCES[resource]
        if (kind !== 'services')
          return err(`error: the lab's kubectl describes services only: kubectl describe svc NAME\n`)
        const svcs = ctx.lab.services.filter(
          (s) => s.namespace === namespace && (name === undefined || s.name === name)
        )
        if (svcs.length === 0)
          return err(
            name === undefined
              ? `No resources found in ${namespace} namespace.\n`
              : `Error from server (NotFound): services "${name}" not found\n`,
            name === undefined ? 0 : 1
          )
        return out(svcs.map((s) => describeService(ctx.lab, s)).join('\n\n'))
      }
      case 'logs': {
        const [name] = args
        if (name === undefined)
          return err(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n"
          )
        const pod = findPod(ctx.lab, name.replace(/^pods?\//, ''), namespace)
        if (!pod) return err(`Error from server (NotFound): pods "${name}" not found\n`)
        const picked = pickContainer(pod, lastValue(o, 'c'))
        if ('error' in picked) return err(picked.error)
        return {
          stdout: picked.container.logs.map((l) => `${l}\n`).join(''),
          stderr: picked.note,
          exitCode: 0
        }
      }
      case 'exec':
        return exec(ctx, args, after, dash >= 0, namespace, lastValue(o, 'c'))
      case 'delete': {
        const [resource, ...names] = args
        const kind = resource === undefined ? undefined : RESOURCES[resource.split('/')[0] ?? '']
        const targets = resource?.includes('/') ? [resource.split('/')[1] ?? '', ...names] : names
        if (kind !== 'pods')
          return err(`error: the lab's kubectl deletes pods only: kubectl delete pod NAME\n`)
        if (targets.length === 0) return err('error: resource(s) were provided, but no name was specified\n')
        let stdout = ''
        let stderr = ''
        for (const name of targets) {
          const r = deletePod(ctx.lab, namespace, name)
          if (r.ok) stdout += `pod "${name}" deleted\n`
          else stderr += `${r.message}\n`
        }
        return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 }
      }
      case 'scale': {
        const [resource, maybeName] = args
        const [kindText = '', slashName] = (resource ?? '').split('/')
        const name = slashName ?? maybeName
        if (
          ![
            'deployment',
            'deployments',
            'deploy',
            'deployment.apps',
            'statefulset',
            'statefulsets',
            'sts'
          ].includes(kindText) ||
          name === undefined
        ) {
          return err(
            "error: the lab's kubectl scales deployments: kubectl scale deployment NAME --replicas=N\n"
          )
        }
        const replicasText = lastValue(o, 'replicas')
        if (replicasText === undefined) return err('error: required flag(s) "replicas" not set\n')
        if (!/^\d+$/.test(replicasText))
          return err(
            `error: invalid argument "${replicasText}" for "--replicas" flag: strconv.ParseInt: parsing "${replicasText}": invalid syntax\nSee 'kubectl scale --help' for usage.\n`
          )
        const refused = scaleRefusal(ctx.lab, namespace, name, Number(replicasText))
        if (refused !== undefined) return err(refused)
        const r = scaleReplicas(ctx.lab, namespace, name, Number(replicasText))
        if (!r.ok) return err(`${r.message}\n`)
        const group = kindText.startsWith('s') ? 'statefulset.apps' : 'deployment.apps'
        return out(`${group}/${name} scaled\n`)
      }
      case 'patch': {
        const [resource = '', maybeName] = args
        const [kindText = '', slashName] = resource.split('/')
        const name = slashName ?? maybeName
        if (RESOURCES[kindText] !== 'services' || name === undefined)
          return err("error: the lab's kubectl patches services: kubectl patch svc NAME -p PATCH\n")
        const patchText = lastValue(o, 'p')
        if (patchText === undefined)
          return err('error: must specify --patch or --patch-file containing the contents of the patch\n')
        const type = lastValue(o, 'type') ?? 'strategic'
        if (type !== 'strategic' && type !== 'merge')
          return err(
            type === 'json'
              ? "error: the lab's kubectl takes --type strategic or merge patches\n"
              : `error: --type must be one of [json merge strategic], not "${type}"\n`
          )
        let patch: unknown
        try {
          patch = parseYaml(patchText)
        } catch (e) {
          return err(`error: unable to parse "${patchText}": ${(e as Error).message.split('\n')[0] ?? ''}\n`)
        }
        const r = patchService(ctx.lab, namespace, name, patch, type)
        if (!r.ok) return err(`${r.message}\n`)
        return out(`service/${name} patched${r.changed ? '' : ' (no change)'}\n`)
      }
      default:
        return err(`error: unknown command "${verb}" for "kubectl"\n\nDid you mean this?\n\tget\n`)
    }
  }
}

function pickContainer(
  pod: KubePod,
  name: string | undefined
): { container: KubePod['containers'][number]; note: string } | { error: string } {
  if (name !== undefined) {
    const c = pod.containers.find((x) => x.name === name)
    return c
      ? { container: c, note: '' }
      : { error: `error: container ${name} is not valid for pod ${pod.name}\n` }
  }
  const first = pod.containers[0]
  if (!first) return { error: `error: pod ${pod.name} has no containers\n` }
  const note =
    pod.containers.length > 1
      ? `Defaulted container "${first.name}" out of: ${pod.containers.map((c) => c.name).join(', ')}\n`
      : ''
  return { container: first, note }
}

function exec(
  ctx: CommandContext,
  args: readonly string[],
  command: readonly string[],
  hadDash: boolean,
  namespace: string,
  container: string | undefined
): CommandOutput {
  const [name, ...legacy] = args
  if (name === undefined)
    return err(
      "error: you must specify at least one command for the container\nSee 'kubectl exec -h' for help and examples\n"
    )
  if (!hadDash && legacy.length > 0)
    return err(
      "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n"
    )
  if (command.length === 0)
    return err(
      "error: you must specify at least one command for the container\nSee 'kubectl exec -h' for help and examples\n"
    )
  const pod = findPod(ctx.lab, name.replace(/^pods?\//, ''), namespace)
  if (!pod) return err(`Error from server (NotFound): pods "${name}" not found\n`)
  const picked = pickContainer(pod, container)
  if ('error' in picked) return err(picked.error)
  if (picked.container.state !== 'Running')
    return err(`error: unable to upgrade connection: container not found ("${picked.container.name}")\n`)
  // The words arrive already expanded by this shell; quoting keeps the container's shell from
  // expanding them again.
  const result = ctx.runOn(podTarget(pod, picked.container.name), command.map(shellQuote).join(' '))
  if (result.exitCode === 127 && result.stdout === '' && /: not found\n$/.test(result.stderr)) {
    return err(
      `${picked.note}error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0] ?? ''}": executable file not found in $PATH: unknown\n`
    )
  }
  const tail = result.exitCode === 0 ? '' : `command terminated with exit code ${result.exitCode}\n`
  return { stdout: result.stdout, stderr: picked.note + result.stderr + tail, exitCode: result.exitCode }
}

/** crictl's tabwriter: min width 20, padding 3. */
const crictlTable = (rows: readonly (readonly string[])[]): string => tabulate(rows, 20, 3)

export const crictlCommand: Command = {
  name: 'crictl',
  summary: 'the node container runtime view: crictl pods, crictl ps [-a]',
  subcommands: ['pods', 'ps'],
  availableOn: ['node'],
  run(argv, ctx) {
    const r = getopt('crictl', argv, {
      short: 'aq',
      long: { all: { key: 'a', arg: false }, quiet: { key: 'q', arg: false } }
    })
    if (!r.ok) return err(`${r.message.replace(/^crictl: /, 'crictl: flag provided but not defined: ')}\n`)
    const [verb] = r.value.operands
    const now = ctx.lab.clock.nowMs
    const pods = ctx.lab.pods.filter((p) => p.node === ctx.target.node)
    const quiet = has(r.value, 'q')
    switch (verb) {
      case 'pods': {
        if (quiet) return out(pods.map((p) => `${p.sandboxId}\n`).join(''))
        const rows = pods.map((p) => [
          p.sandboxId.slice(0, 13),
          unitsAgo(now - p.createdAt),
          'Ready',
          p.name,
          p.namespace,
          '0',
          '(default)'
        ])
        return out(
          crictlTable([['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME'], ...rows])
        )
      }
      case 'ps': {
        const all = has(r.value, 'a')
        const rows = pods.flatMap((p) =>
          p.containers
            .filter((c) => all || c.state === 'Running')
            .map((c) => [
              c.id.slice(0, 13),
              imageId(c.image).slice(0, 13),
              unitsAgo(now - p.createdAt),
              c.state === 'Running' ? 'Running' : 'Exited',
              c.name,
              String(c.restartCount),
              p.sandboxId.slice(0, 13),
              p.name
            ])
        )
        if (quiet) return out(rows.map((x) => `${x[0] ?? ''}\n`).join(''))
        return out(
          crictlTable([
            ['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD'],
            ...rows
          ])
        )
      }
      case undefined:
        return out(
          'NAME:\n   crictl - client for CRI\n\nUSAGE:\n   crictl [global options] command [command options] [arguments...]\n\nCOMMANDS (lab):\n   pods     List pods\n   ps       List containers\n'
        )
      default:
        return err(`crictl: No help topic for '${verb}'\n`)
    }
  }
}

/** containerd lists a container's image by its config digest; derive a stable one per image. */
function imageId(image: string): string {
  return Array.from(sha256(image), (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The lab keeps a scaled cluster within what a scenario file may describe (SCENARIO_LIMITS):
 * the kubelet's maxPods on every node, the cluster's pod total, and the addresses each node's
 * podCIDR has. A real cluster would leave the extra pods Pending; the lab refuses the scale.
 */
function scaleRefusal(lab: Lab, namespace: string, base: string, replicas: number): string | undefined {
  const member = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`)
  const members = lab.pods.filter((p) => p.namespace === namespace && member.test(p.name)).length
  if (members === 0) return undefined
  const after = lab.pods.length - members + replicas
  const perNode = lab.nodes.reduce(
    (sum, n) => sum + Math.min(SCENARIO_LIMITS.podsPerNode, Math.max(0, cidrSize(n.podCIDR) - 3)),
    0
  )
  const most = Math.min(SCENARIO_LIMITS.pods, perNode)
  if (after <= most) return undefined
  return `error: the lab runs at most ${most} pods on ${lab.nodes.length} node${lab.nodes.length === 1 ? '' : 's'} (${SCENARIO_LIMITS.podsPerNode} per node, the kubelet's default maxPods, and ${SCENARIO_LIMITS.pods} in all); scaling ${base} to ${replicas} would make ${after}\n`
}
