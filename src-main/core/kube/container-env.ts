/**
 * The environment a process starts with in a container, and a root login's on a node.
 *
 * In a container it is built in three places. kubelet (kuberuntime's
 * makeEnvironmentVariables) lists the container's `env`, then the service link variables
 * pkg/kubelet/envvars FromServices makes for every Service with a ClusterIP in the pod's
 * namespace, and for `kubernetes` in default, that existed when the pod started; kubelet
 * gathers both in Go maps, so a real container gets them in an order that varies from
 * container to container, where the lab keeps the spec's order and then FromServices'.
 * containerd's CRI plugin (containerSpec) starts from PATH (oci.WithDefaultPathEnv), adds
 * HOSTNAME, the image's env and then kubelet's list, a name given again replacing the earlier
 * value in place. runc adds HOME from the user's passwd entry last when nothing set it.
 */
import { formatIpv4 } from '../net/ipv4.ts'
import type { Lab } from './lab.ts'
import type { KubeEnvVar, KubePod, KubeService } from './objects.ts'

export type Environment = readonly (readonly [name: string, value: string])[]

/** oci.DefaultPathEnv; the lab's images set no other variable of their own. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** envvars.makeEnvVariableName */
const envName = (name: string): string => {
  const upper = name.replace(/[.-]/g, '_').toUpperCase()
  return /^[0-9]/.test(upper) ? `_${upper}` : upper
}

/** envvars.FromServices for one Service: its host and ports, then Docker's link variables. */
function serviceLinkVariables(service: KubeService): Environment {
  const prefix = envName(service.name)
  const ip = formatIpv4(service.clusterIP)
  const [first] = service.ports
  if (!first) return []
  const vars: [string, string][] = [
    [`${prefix}_SERVICE_HOST`, ip],
    [`${prefix}_SERVICE_PORT`, String(first.port)]
  ]
  for (const p of service.ports)
    if (p.name) vars.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)])
  service.ports.forEach((p, i) => {
    const proto = p.protocol.toLowerCase()
    const url = `${proto}://${ip}:${p.port}`
    if (i === 0) vars.push([`${prefix}_PORT`, url])
    const portPrefix = `${prefix}_PORT_${p.port}_${p.protocol}`
    vars.push(
      [portPrefix, url],
      [`${portPrefix}_PROTO`, proto],
      [`${portPrefix}_PORT`, String(p.port)],
      [`${portPrefix}_ADDR`, ip]
    )
  })
  return vars
}

/** kubelet's getServiceEnvVarMap: the master Service and the pod's namespace's, as of its start. */
function servicesSeenBy(lab: Lab, pod: KubePod): KubeService[] {
  return lab.services.filter(
    (s) =>
      !s.headless &&
      s.createdAt <= pod.createdAt &&
      (s.namespace === pod.namespace || (s.namespace === 'default' && s.name === 'kubernetes'))
  )
}

/** podFieldSelectorRuntimeValue for the fields the lab's manifests reference. */
function fieldValue(lab: Lab, pod: KubePod, fieldPath: string): string {
  const node = lab.nodes.find((n) => n.name === pod.node)
  switch (fieldPath) {
    case 'metadata.name':
      return pod.name
    case 'metadata.namespace':
      return pod.namespace
    case 'spec.nodeName':
      return pod.node
    case 'status.podIP':
      return formatIpv4(pod.ip)
    case 'status.hostIP':
      return node ? formatIpv4(node.ip) : ''
    default:
      return ''
  }
}

/** oci.WithEnv: a name already present keeps its place and takes the new value. */
function replaceOrAppend(env: [string, string][], name: string, value: string): void {
  const at = env.findIndex(([n]) => n === name)
  if (at === -1) env.push([name, value])
  else env[at] = [name, value]
}

export function containerEnvironment(lab: Lab, pod: KubePod, containerName: string | undefined): Environment {
  const container = pod.containers.find((c) => c.name === containerName) ?? pod.containers[0]
  const own = (container?.env ?? []).map((e: KubeEnvVar): [string, string] => [
    e.name,
    'value' in e ? e.value : fieldValue(lab, pod, e.fieldPath)
  ])
  const declared = new Set(own.map(([n]) => n))
  const services = servicesSeenBy(lab, pod)
    .flatMap(serviceLinkVariables)
    .filter(([n]) => !declared.has(n))
  const env: [string, string][] = [['PATH', DEFAULT_PATH]]
  replaceOrAppend(env, 'HOSTNAME', pod.hostNetwork ? pod.node : pod.name)
  for (const [name, value] of [...own, ...services]) replaceOrAppend(env, name, value)
  if (!env.some(([n]) => n === 'HOME')) env.push(['HOME', '/root'])
  return env
}

/**
 * A root login on a Debian node: what login(1) and pam_env set, then what bash adds and
 * exports (PWD, SHLVL, and `_` as the command's path).
 */
export const NODE_LOGIN_ENVIRONMENT: Environment = [
  ['SHELL', '/bin/bash'],
  ['PWD', '/root'],
  ['LOGNAME', 'root'],
  ['HOME', '/root'],
  ['LANG', 'C.UTF-8'],
  ['TERM', 'xterm-256color'],
  ['USER', 'root'],
  ['SHLVL', '1'],
  ['PATH', DEFAULT_PATH],
  ['MAIL', '/var/mail/root']
]
