/**
 * `kubectl` over the lab's Kubernetes objects, printing what the kubectl of the scenario's
 * Kubernetes version prints: get and describe (kubectl-get.ts, kubectl-describe.ts), logs, exec,
 * delete, scale, patch, version; and `crictl pods|ps` on nodes (20-wide columns).
 */

import { daemonSets, systemPods } from '../../kube/daemonsets.ts'
import type { Command, CommandContext, CommandOutput } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import type { KubePod } from '../../kube/objects.ts'
import { imageDigest, kubeletVersion } from '../../kube/api-objects.ts'
import { matchesLabels, parseLabelSelector } from '../../kube/label-selector.ts'
import { RESOURCES, kubectlGet, parseOutput, tabulate } from './kubectl-get.ts'
import {
  describeDeployment,
  describeEndpoints,
  describeNode,
  describePod,
  describeDaemonSet,
  describeNetworkPolicy,
  describeReplicaSet,
  describeService
} from './kubectl-describe.ts'
import { deleteByName, expose, fromFiles, label, patch, scale } from './kubectl-write.ts'
import { setEnv } from './kubectl-set-env.ts'
import { getopt, has, lastValue } from '../getopt.ts'
import { findPod, podTarget } from '../targets.ts'
import { shellQuote } from '../quote.ts'

export { humanDuration, tabulate } from './kubectl-get.ts'

const out = (stdout: string): CommandOutput => ({ stdout, stderr: '', exitCode: 0 })
const err = (stderr: string, exitCode = 1): CommandOutput => ({ stdout: '', stderr, exitCode })

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

const KUBECTL_OPTS = {
  short: 'n:o:c:Aitl:L:p:f:h',
  long: {
    'field-selector': { key: 'field-selector', arg: true },
    'label-columns': { key: 'L', arg: true },
    'no-headers': { key: 'no-headers', arg: false },
    'sort-by': { key: 'sort-by', arg: true },
    client: { key: 'client', arg: false },
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
    filename: { key: 'f', arg: true },
    overwrite: { key: 'overwrite', arg: false },
    port: { key: 'port', arg: true },
    'target-port': { key: 'target-port', arg: true },
    name: { key: 'name', arg: true },
    protocol: { key: 'protocol', arg: true },
    help: { key: 'h', arg: false }
  }
} as const

const KUBECTL_HELP = `kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (lab):
  create        Create a resource from a file or from stdin
  expose        Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  get           Display one or many resources
  describe      Show details of a specific resource or group of resources
  delete        Delete resources by file names, stdin, resources and names, or by resources and label selector
  apply         Apply a configuration to a resource by file name or stdin
  scale         Set a new size for a deployment, replica set, or replication controller
  label         Update the labels on a resource
  patch         Update fields of a resource
  set           Set specific features on objects (env)
  logs          Print the logs for a container in a pod
  exec          Execute a command in a container
  version       Print the client and server version information

Usage:
  kubectl [flags] [options]
`

export const kubectlCommand: Command = {
  name: 'kubectl',
  summary:
    'get pods|svc|deploy|rs|events|ns|endpoints|endpointslices|netpol|nodes|all [-l SEL] [-o wide|name|yaml|json|jsonpath=…|custom-columns=…], describe, apply|create|delete -f FILE, delete, scale, label, expose, patch, set env, logs, exec, version',
  subcommands: [
    'get',
    'describe',
    'apply',
    'create',
    'delete',
    'scale',
    'label',
    'expose',
    'patch',
    'set',
    'logs',
    'exec',
    'version'
  ],
  availableOn: ['node', 'external'],
  run(argv, ctx) {
    const dash = argv.indexOf('--')
    const before = dash < 0 ? argv : argv.slice(0, dash)
    const after = dash < 0 ? [] : argv.slice(dash + 1)
    const r = getopt('kubectl', before, KUBECTL_OPTS)
    if (!r.ok) {
      const flag = /'(-[^'=]*)[^']*'|-- '(.)'/.exec(r.message)
      const name = flag?.[1] ?? (flag?.[2] !== undefined ? `-${flag[2]}` : '')
      const sub = before.find((a) => !a.startsWith('-'))
      const usage = sub && kubectlCommand.subcommands?.includes(sub) ? `kubectl ${sub}` : 'kubectl'
      // pflag's texts: a long flag by name, a short one by letter within its cluster.
      return err(
        `error: ${name.startsWith('--') ? `unknown flag: ${name}` : `unknown shorthand flag: '${name.slice(1)}' in ${name}`}\nSee '${usage} --help' for usage.\n`
      )
    }
    const o = r.value
    const [verb, ...args] = o.operands
    if (verb === undefined || has(o, 'h')) return out(KUBECTL_HELP)
    // pflag takes `-n=x` as `-n x`; getopt would keep the `=`.
    const value = (key: string): string | undefined => lastValue(o, key)?.replace(/^=/, '')
    const namespace = value('n') ?? 'default'
    const writeOptions = { namespace, namespaceGiven: has(o, 'n') }
    const files = (): string[] =>
      o.options.filter((x) => x.key === 'f').map((x) => (x.value ?? '').replace(/^=/, ''))
    switch (verb) {
      case 'get': {
        if (args.length === 0)
          return err(
            'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples\n'
          )
        const output = parseOutput(value('o'))
        if (typeof output === 'string') return err(output)
        return kubectlGet(ctx.lab, {
          args,
          output,
          namespace,
          allNamespaces: has(o, 'A'),
          labelSelector: value('l'),
          fieldSelector: value('field-selector'),
          showLabels: has(o, 'show-labels'),
          labelColumns: o.options
            .filter((x) => x.key === 'L')
            .flatMap((x) => (x.value ?? '').replace(/^=/, '').split(',')),
          noHeaders: has(o, 'no-headers'),
          sortBy: value('sort-by')
        })
      }
      case 'describe':
        return describe(ctx.lab, args, namespace, value('l'))
      case 'version': {
        const v = kubeletVersion(ctx.lab)
        const kustomize = KUSTOMIZE[ctx.lab.scenario.cluster.kubeProxy.version]
        return out(
          `Client Version: ${v}\n${kustomize ? `Kustomize Version: ${kustomize}\n` : ''}${has(o, 'client') ? '' : `Server Version: ${v}\n`}`
        )
      }
      case 'logs': {
        const [name] = args
        if (name === undefined)
          return err(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n"
          )
        const dsName = /^(?:daemonsets?(?:\.apps)?|ds)\/(.+)$/.exec(name)?.[1]
        let found = ''
        let pod: KubePod | undefined
        if (dsName !== undefined) {
          const ds = daemonSets(ctx.lab).find((d) => d.name === dsName && d.namespace === namespace)
          if (!ds) return err(`Error from server (NotFound): daemonsets.apps "${dsName}" not found\n`)
          pod = [...ds.pods].sort((a, b) => (a.name < b.name ? -1 : 1))[0]
          // kubectl reads one pod of the set, and says which when there are several.
          if (pod && ds.pods.length > 1) found = `Found ${ds.pods.length} pods, using pod/${pod.name}\n`
        } else {
          const podName = name.replace(/^pods?\//, '')
          pod =
            findPod(ctx.lab, podName, namespace) ??
            systemPods(ctx.lab).find((p) => p.name === podName && namespace === p.namespace)
        }
        if (!pod) return err(`Error from server (NotFound): pods "${name}" not found\n`)
        const wanted = lastValue(o, 'c')
        const init = pod.initContainers?.find((c) => c.name === wanted)
        const picked = init ? { container: init, note: '' } : pickContainer(pod, wanted)
        if ('error' in picked) return err(picked.error)
        return {
          stdout: picked.container.logs.map((l) => `${l}\n`).join(''),
          stderr: found + picked.note,
          exitCode: 0
        }
      }
      case 'exec':
        return exec(ctx, args, after, dash >= 0, namespace, lastValue(o, 'c'))
      case 'apply':
      case 'create':
        if (verb === 'apply' && args.length > 0)
          return err(
            `error: Unexpected args: [${args.join(' ')}]\nSee 'kubectl apply -h' for help and examples\n`
          )
        return fromFiles(ctx, verb, files(), writeOptions)
      case 'delete':
        return files().length > 0
          ? fromFiles(ctx, 'delete', files(), writeOptions)
          : deleteByName(ctx, args, writeOptions)
      case 'scale':
        return scale(ctx, args, value('replicas'), writeOptions)
      case 'label':
        return label(ctx, args, has(o, 'overwrite'), writeOptions)
      case 'expose':
        return expose(ctx, args, {
          ...writeOptions,
          port: value('port'),
          targetPort: value('target-port'),
          name: value('name'),
          type: value('type'),
          protocol: value('protocol')
        })
      case 'patch':
        return patch(ctx, args, { ...writeOptions, patch: value('p'), type: value('type') ?? 'strategic' })
      case 'set':
        return setEnv(ctx, args, namespace)
      default:
        return err(`error: unknown command "${verb}" for "kubectl"\n\nDid you mean this?\n\tget\n`)
    }
  }
}

/** The kustomize each kubectl minor embeds, as `kubectl version` reports it. */
const KUSTOMIZE: Readonly<Record<string, string>> = {
  '1.27': 'v5.0.1',
  '1.28': 'v5.0.4-0.20230601165947-6ce0bf390ce3',
  '1.29': 'v5.0.4-0.20230601165947-6ce0bf390ce3',
  '1.30': 'v5.0.4-0.20230601165947-6ce0bf390ce3',
  '1.31': 'v5.4.2',
  '1.32': 'v5.5.0'
}

const DESCRIBERS = {
  pods: { list: (lab: Lab) => [...lab.pods, ...systemPods(lab)], print: describePod },
  services: { list: (lab: Lab) => lab.services, print: describeService },
  endpoints: { list: (lab: Lab) => lab.services, print: describeEndpoints },
  nodes: { list: (lab: Lab) => lab.nodes, print: describeNode },
  deployments: { list: (lab: Lab) => lab.deployments, print: describeDeployment },
  replicasets: { list: (lab: Lab) => lab.replicaSets, print: describeReplicaSet },
  networkpolicies: { list: (lab: Lab) => lab.networkPolicies, print: describeNetworkPolicy },
  daemonsets: { list: daemonSets, print: describeDaemonSet }
} as const

/** The group-qualified resource a NotFound error names. */
const QUALIFIED: Readonly<Record<string, string>> = {
  networkpolicies: 'networkpolicies.networking.k8s.io',
  daemonsets: 'daemonsets.apps'
}

/**
 * `kubectl describe TYPE [NAME_PREFIX] [-l SEL]`: a name that matches no object exactly
 * describes every object it begins (describe.go DescribeMatchingResources).
 */
function describe(
  lab: Lab,
  args: readonly string[],
  namespace: string,
  selector: string | undefined
): CommandOutput {
  const [first = '', ...rest] = args
  const [type = '', slashName] = first.split('/')
  const names = slashName === undefined ? rest : [slashName, ...rest]
  const resource = RESOURCES[type]
  if (!resource) return err(`error: the server doesn't have a resource type "${type}"\n`)
  if (!(resource in DESCRIBERS))
    return err(
      "error: the lab's kubectl describes pods, services, endpoints, nodes, deployments, replicasets, daemonsets and networkpolicies\n"
    )
  const d = DESCRIBERS[resource as keyof typeof DESCRIBERS]
  type Described = { name: string; namespace?: string; labels?: Record<string, string> }
  const inScope = (d.list(lab) as readonly Described[])
    .filter((x) => x.namespace === undefined || x.namespace === namespace)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const parsed = parseLabelSelector(selector ?? '')
  if (!parsed.ok) return err(`Error from server (BadRequest): ${parsed.message}\n`)
  const print = d.print as (lab: Lab, x: Described) => string
  if (names.length === 0) {
    const chosen = inScope.filter((x) => matchesLabels(parsed.selector, x.labels ?? {}))
    if (chosen.length === 0)
      return err(
        resource === 'nodes' ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`,
        0
      )
    return out(chosen.map((x) => print(lab, x)).join('\n\n'))
  }
  let stdout = ''
  let stderr = ''
  for (const name of names) {
    const exact = inScope.filter((x) => x.name === name)
    const chosen = exact.length > 0 ? exact : inScope.filter((x) => x.name.startsWith(name))
    if (chosen.length === 0)
      stderr += `Error from server (NotFound): ${QUALIFIED[resource] ?? resource} "${name}" not found\n`
    for (const x of chosen) stdout += `${stdout === '' ? '' : '\n\n'}${print(lab, x)}`
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 }
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
  // runc finds no such program (BusyBox sh words it so); a script that ran says its own errors.
  if (
    result.exitCode === 127 &&
    result.stdout === '' &&
    result.stderr === `sh: ${command[0] ?? ''}: not found\n`
  ) {
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
    // The installer's pods started before the scenario's, so crictl, newest first, lists them last.
    const pods = [...ctx.lab.pods, ...systemPods(ctx.lab)].filter((p) => p.node === ctx.target.node)
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
        const head = (id: string, image: string, since: number, state: string, name: string): string[] => [
          id.slice(0, 13),
          imageDigest(image).slice(0, 13),
          unitsAgo(now - since),
          state,
          name
        ]
        // Newest first: a pod's init containers ran, one after the other, before its containers.
        const rows = pods.flatMap((p) => [
          ...p.containers
            .filter((c) => all || c.state === 'Running')
            .map((c) => [
              ...head(c.id, c.image, p.createdAt, c.state === 'Running' ? 'Running' : 'Exited', c.name),
              String(c.restartCount),
              p.sandboxId.slice(0, 13),
              p.name
            ]),
          ...(all ? [...(p.initContainers ?? [])].reverse() : []).map((c) => [
            ...head(c.id, c.image, c.startedAt, 'Exited', c.name),
            '0',
            p.sandboxId.slice(0, 13),
            p.name
          ])
        ])
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
