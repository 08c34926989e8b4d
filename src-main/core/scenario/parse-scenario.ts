import { parse as parseYaml, YAMLParseError } from 'yaml'
import type { z } from 'zod'
import { cidrContains, cidrCovers, cidrHost, parseCidr } from '../net/cidr.ts'
import { formatIpv4, parseIpv4 } from '../net/ipv4.ts'
import { utf8Length } from '../net/utf8.ts'
import {
  fieldOf,
  fieldProblemOf,
  reason as reasonOf,
  type ErrorReason,
  type ScenarioLimit,
  type scenarioConflicts
} from '../../api/error-reasons.ts'
import {
  DEFAULT_INTERNET_CIDR,
  SCENARIO_LIMITS,
  scenarioSchema,
  type LimitIssueParams,
  type Scenario
} from './scenario.schema.ts'

/** A refused file: every problem as an author reads it, and the first one as the learner's reason. */
export type ParsedScenario =
  { ok: true; scenario: Scenario } | { ok: false; errors: string[]; reason: ErrorReason }

/** What a cross-field check found, beside its English sentence. */
type Found =
  | { problem: ScenarioConflict; value?: string; range?: string }
  | { limit: ScenarioLimit; max: number; value: number; where?: string }

interface SemanticError {
  path: string
  reason: string
  found: Found
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`
  return out === '' ? '(root)' : out
}

function zodErrors(fileName: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${fileName}: ${formatPath(issue.path)}: ${issue.message}`)
}

type ScenarioConflict = (typeof scenarioConflicts)[number]

/** A schema issue as a reason: a limit the schema checks keeps its numbers. */
function schemaReason(file: string, issue: z.core.$ZodIssue): ErrorReason {
  const field = fieldOf(issue)
  if (issue.code === 'custom' && issue.params !== undefined && 'scenarioLimit' in issue.params) {
    const { scenarioLimit, max, value, where } = issue.params as LimitIssueParams
    const at = where === undefined ? {} : { where }
    return reasonOf('scenario_limit', { file, field, what: scenarioLimit, limit: max, value, ...at })
  }
  return reasonOf('scenario_field', { file, field, ...fieldProblemOf(issue) })
}

function semanticReason(file: string, error: SemanticError): ErrorReason {
  const { found } = error
  if ('limit' in found) {
    return reasonOf('scenario_limit', {
      file,
      field: error.path,
      what: found.limit,
      limit: found.max,
      value: found.value,
      ...(found.where === undefined ? {} : { where: found.where })
    })
  }
  return reasonOf('scenario_conflict', { file, field: error.path, ...found })
}

/** Checks that need more than one field: references, ranges, uniqueness. */
function semanticErrors(s: Scenario): SemanticError[] {
  const errors: SemanticError[] = []
  const podCIDR = parseCidr(s.cluster.podCIDR)!
  const serviceCIDR = parseCidr(s.cluster.serviceCIDR)!
  const underlay = parseCidr(s.cluster.underlayCIDR)!
  const duplicates = (names: string[], path: string, what: string): void => {
    const seen = new Set<string>()
    names.forEach((n, i) => {
      if (seen.has(n))
        errors.push({
          path: `${path}[${i}].name`,
          reason: `duplicate ${what} name "${n}"`,
          found: { problem: 'duplicate', value: n }
        })
      seen.add(n)
    })
  }
  if (s.cluster.podSubnetLength < podCIDR.prefixLen)
    errors.push({
      path: 'cluster.podSubnetLength',
      reason: `must be at least the podCIDR's prefix length ${podCIDR.prefixLen}`,
      found: { problem: 'too_narrow', value: String(s.cluster.podSubnetLength), range: s.cluster.podCIDR }
    })
  if (s.cluster.gateway !== undefined && !cidrContains(underlay, parseIpv4(s.cluster.gateway)!)) {
    errors.push({
      path: 'cluster.gateway',
      reason: `${s.cluster.gateway} is not inside underlayCIDR ${s.cluster.underlayCIDR}`,
      found: { problem: 'outside', value: s.cluster.gateway, range: s.cluster.underlayCIDR }
    })
  }
  duplicates(
    s.nodes.map((n) => n.name),
    'nodes',
    'node'
  )
  duplicates([...s.nodes.map((n) => n.name), ...s.externalHosts.map((h) => h.name)], 'externalHosts', 'host')
  const underlayIps = new Map<string, string>()
  const claimIp = (ip: string, path: string): void => {
    const owner = underlayIps.get(ip)
    if (owner)
      errors.push({
        path,
        reason: `address ${ip} is already used by ${owner}`,
        found: { problem: 'taken', value: ip }
      })
    else underlayIps.set(ip, path)
  }
  if (s.cluster.gateway) claimIp(s.cluster.gateway, 'cluster.gateway')
  const appNeedsItsPort = (
    host: { app?: string | undefined; port?: number | undefined },
    path: string
  ): void => {
    if ((host.app === undefined || host.app === 'sleep') !== (host.port === undefined))
      errors.push({
        path,
        reason:
          host.port === undefined ? `app ${host.app} needs a port` : 'a port needs an app that listens on it',
        found: { problem: host.port === undefined ? 'required' : 'not_allowed' }
      })
  }
  s.nodes.forEach((n, i) => {
    if (!cidrContains(underlay, parseIpv4(n.ip)!))
      errors.push({
        path: `nodes[${i}].ip`,
        reason: `${n.ip} is not inside underlayCIDR ${s.cluster.underlayCIDR}`,
        found: { problem: 'outside', value: n.ip, range: s.cluster.underlayCIDR }
      })
    claimIp(n.ip, `nodes[${i}].ip`)
    appNeedsItsPort(n, `nodes[${i}].port`)
    if (n.podCIDR !== undefined && !cidrCovers(podCIDR, parseCidr(n.podCIDR)!))
      errors.push({
        path: `nodes[${i}].podCIDR`,
        reason: `${n.podCIDR} is not inside cluster.podCIDR ${s.cluster.podCIDR}`,
        found: { problem: 'outside', value: n.podCIDR, range: s.cluster.podCIDR }
      })
  })
  const internetText = s.cluster.internetCIDR ?? DEFAULT_INTERNET_CIDR
  const internet = parseCidr(internetText)!
  if (
    s.cluster.internetCIDR !== undefined &&
    (cidrCovers(internet, underlay) || cidrCovers(underlay, internet))
  )
    errors.push({
      path: 'cluster.internetCIDR',
      reason: `${internetText} overlaps underlayCIDR ${s.cluster.underlayCIDR}`,
      found: { problem: 'taken', value: internetText }
    })
  s.externalHosts.forEach((h, i) => {
    const [net, netText, field] = h.internet
      ? [internet, internetText, 'internetCIDR']
      : [underlay, s.cluster.underlayCIDR, 'underlayCIDR']
    if (!cidrContains(net, parseIpv4(h.ip)!))
      errors.push({
        path: `externalHosts[${i}].ip`,
        reason: `${h.ip} is not inside ${field} ${netText}`,
        found: { problem: 'outside', value: h.ip, range: netText }
      })
    else if (h.internet && parseIpv4(h.ip) === (internet.network + 1) >>> 0)
      errors.push({
        path: `externalHosts[${i}].ip`,
        reason: `${h.ip} is the gateway's address on ${netText}`,
        found: { problem: 'taken', value: h.ip }
      })
    if (h.internet && s.cluster.gateway === undefined)
      errors.push({
        path: `externalHosts[${i}].internet`,
        reason: 'an internet host is reached through cluster.gateway, which the file does not set',
        found: { problem: 'required' }
      })
    appNeedsItsPort(h, `externalHosts[${i}].port`)
    claimIp(h.ip, `externalHosts[${i}].ip`)
  })
  // kube-controller-manager gives each node the next free subnet; past the last one a node gets
  // none ("no remaining CIDRs left to allocate") and its pods could never start.
  if (s.cluster.podSubnetLength >= podCIDR.prefixLen) {
    const subnets = 2 ** (s.cluster.podSubnetLength - podCIDR.prefixLen)
    if (s.nodes.length > subnets)
      errors.push({
        path: 'cluster.podCIDR',
        reason: `${s.cluster.podCIDR} holds ${subnets} node podCIDR${subnets === 1 ? '' : 's'} of /${s.cluster.podSubnetLength}, this file has ${s.nodes.length} nodes`,
        found: { limit: 'node_subnets', max: subnets, value: s.nodes.length }
      })
  }
  // host-local hands out .2 up to the last address before the broadcast.
  const needAddress = s.pods.filter((p) => !p.hostNetwork)
  const total = new Map<string, number>()
  for (const p of needAddress) total.set(p.node, (total.get(p.node) ?? 0) + 1)
  const seen = new Map<string, number>()
  s.pods.forEach((p, i) => {
    if (p.hostNetwork) return
    if (s.cluster.cni.backend === 'none')
      errors.push({
        path: `pods[${i}].hostNetwork`,
        reason: 'cni.backend none has no CNI to give a pod its own network; set hostNetwork: true',
        found: { problem: 'required' }
      })
    const n = (seen.get(p.node) ?? 0) + 1
    seen.set(p.node, n)
    const node = s.nodes.find((x) => x.name === p.node)
    if (!node) return
    const prefixLen =
      node.podCIDR === undefined ? s.cluster.podSubnetLength : parseCidr(node.podCIDR)!.prefixLen
    const room = Math.max(0, 2 ** (32 - prefixLen) - 3)
    if (n === room + 1)
      errors.push({
        path: `pods[${i}].node`,
        reason: `a /${prefixLen} podCIDR has room for ${room} pod${room === 1 ? '' : 's'}, this file puts ${total.get(p.node)} on ${p.node}`,
        found: { limit: 'pods_per_cidr', max: room, value: total.get(p.node) ?? n, where: p.node }
      })
  })
  const nodeNames = new Set(s.nodes.map((n) => n.name))
  const podKeys = new Set<string>()
  const hostPorts = new Map<string, string>()
  s.pods.forEach((p, i) => {
    const key = `${p.namespace}/${p.name}`
    if (podKeys.has(key))
      errors.push({
        path: `pods[${i}].name`,
        reason: `duplicate pod name "${p.name}" in namespace "${p.namespace}"`,
        found: { problem: 'duplicate', value: p.name }
      })
    podKeys.add(key)
    if (nodeNames.has(p.name) || s.externalHosts.some((h) => h.name === p.name))
      errors.push({
        path: `pods[${i}].name`,
        reason: `"${p.name}" is already the name of a node or external host`,
        found: { problem: 'duplicate', value: p.name }
      })
    if (!nodeNames.has(p.node))
      errors.push({
        path: `pods[${i}].node`,
        reason: `no node named "${p.node}"`,
        found: { problem: 'unknown_name', value: p.node }
      })
    if (p.ip !== undefined) {
      const node = s.nodes.find((n) => n.name === p.node)
      if (!cidrContains(podCIDR, parseIpv4(p.ip)!))
        errors.push({
          path: `pods[${i}].ip`,
          reason: `${p.ip} is not inside cluster.podCIDR ${s.cluster.podCIDR}`,
          found: { problem: 'outside', value: p.ip, range: s.cluster.podCIDR }
        })
      else if (node?.podCIDR !== undefined && !cidrContains(parseCidr(node.podCIDR)!, parseIpv4(p.ip)!))
        errors.push({
          path: `pods[${i}].ip`,
          reason: `${p.ip} is not inside node ${node.name}'s podCIDR ${node.podCIDR}`,
          found: { problem: 'outside', value: p.ip, range: node.podCIDR }
        })
      if (p.hostNetwork)
        errors.push({
          path: `pods[${i}].ip`,
          reason: "a hostNetwork pod uses its node's IP and cannot have its own",
          found: { problem: 'not_allowed' }
        })
    }
    const containerNames = new Set<string>()
    p.containers.forEach((c, j) => {
      if (containerNames.has(c.name))
        errors.push({
          path: `pods[${i}].containers[${j}].name`,
          reason: `duplicate container name "${c.name}"`,
          found: { problem: 'duplicate', value: c.name }
        })
      containerNames.add(c.name)
      if (c.app !== 'sleep' && c.port === undefined)
        errors.push({
          path: `pods[${i}].containers[${j}].port`,
          reason: `required for app "${c.app}"`,
          found: { problem: 'required' }
        })
      if (c.portName !== undefined && c.port === undefined)
        errors.push({
          path: `pods[${i}].containers[${j}].portName`,
          reason: 'names a port, and the container has none',
          found: { problem: 'not_allowed' }
        })
      if (c.hostPort !== undefined && c.port === undefined)
        errors.push({
          path: `pods[${i}].containers[${j}].hostPort`,
          reason: 'maps to a container port, and the container has none',
          found: { problem: 'not_allowed' }
        })
      if (c.hostPort !== undefined) {
        const key = `${p.node}:${c.hostPort}`
        if (hostPorts.has(key))
          errors.push({
            path: `pods[${i}].containers[${j}].hostPort`,
            reason: `hostPort ${c.hostPort} is already taken on ${p.node} by pod ${hostPorts.get(key)}`,
            found: { problem: 'taken', value: String(c.hostPort) }
          })
        else hostPorts.set(key, p.name)
      }
      if (c.app === 'sleep' && c.port !== undefined)
        errors.push({
          path: `pods[${i}].containers[${j}].port`,
          reason: 'app "sleep" listens on nothing; remove the port',
          found: { problem: 'not_allowed' }
        })
    })
  })
  const svcKeys = new Set<string>()
  const clusterIPs = new Map<string, string>()
  if (s.cluster.dns.enabled) clusterIPs.set(formatIpv4(cidrHost(serviceCIDR, 10)), 'kube-system/kube-dns')
  const nodePorts = new Map<number, string>()
  s.services.forEach((svc, i) => {
    const key = `${svc.namespace}/${svc.name}`
    if (svcKeys.has(key))
      errors.push({
        path: `services[${i}].name`,
        reason: `duplicate service name "${svc.name}" in namespace "${svc.namespace}"`,
        found: { problem: 'duplicate', value: svc.name }
      })
    svcKeys.add(key)
    if (svc.clusterIP !== undefined) {
      if (!cidrContains(serviceCIDR, parseIpv4(svc.clusterIP)!))
        errors.push({
          path: `services[${i}].clusterIP`,
          reason: `${svc.clusterIP} is not inside cluster.serviceCIDR ${s.cluster.serviceCIDR}`,
          found: { problem: 'outside', value: svc.clusterIP, range: s.cluster.serviceCIDR }
        })
      const owner = clusterIPs.get(svc.clusterIP)
      if (owner)
        errors.push({
          path: `services[${i}].clusterIP`,
          reason: `${svc.clusterIP} is already allocated to ${owner}`,
          found: { problem: 'taken', value: svc.clusterIP }
        })
      clusterIPs.set(svc.clusterIP, key)
    }
    if (svc.ports.length > 1 && svc.ports.some((p) => p.name === undefined))
      errors.push({
        path: `services[${i}].ports`,
        reason: 'every port needs a name when a Service has more than one',
        found: { problem: 'required' }
      })
    svc.ports.forEach((p, j) => {
      if (p.nodePort !== undefined) {
        if (svc.type !== 'NodePort')
          errors.push({
            path: `services[${i}].ports[${j}].nodePort`,
            reason: 'only NodePort Services have a nodePort',
            found: { problem: 'not_allowed' }
          })
        const owner = nodePorts.get(p.nodePort)
        if (owner)
          errors.push({
            path: `services[${i}].ports[${j}].nodePort`,
            reason: `port ${p.nodePort} is already allocated to ${owner}`,
            found: { problem: 'taken', value: String(p.nodePort) }
          })
        nodePorts.set(p.nodePort, key)
      }
    })
    if (svc.externalTrafficPolicy === 'Local' && svc.type !== 'NodePort')
      errors.push({
        path: `services[${i}].externalTrafficPolicy`,
        reason: 'Local applies only to NodePort Services',
        found: { problem: 'not_allowed' }
      })
  })
  const targets = new Set([
    ...s.nodes.map((n) => n.name),
    ...s.externalHosts.map((h) => h.name),
    ...s.pods.map((p) => p.name),
    ...s.pods.flatMap((p) => p.containers.map((c) => `${p.name}/${c.name}`))
  ])
  s.setup.forEach((cmd, i) => {
    if (!targets.has(cmd.on))
      errors.push({
        path: `setup[${i}].on`,
        reason: `no node, pod, container or external host named "${cmd.on}"`,
        found: { problem: 'unknown_name', value: cmd.on }
      })
  })
  return errors
}

/**
 * Reads a scenario file. Every problem comes back as one `file: path: reason` line, schema
 * errors first, so an author fixes them all in one pass.
 */
export function parseScenario(yamlText: string, fileName: string): ParsedScenario {
  // Before the YAML parser: its cost grows with the text, whatever the text describes.
  const bytes = utf8Length(yamlText)
  if (bytes > SCENARIO_LIMITS.bytes)
    return {
      ok: false,
      errors: [
        `${fileName}: (root): at most ${SCENARIO_LIMITS.bytes} bytes of scenario text (${SCENARIO_LIMITS.bytes / 1024 / 1024} MiB), this file has ${bytes}`
      ],
      reason: reasonOf('scenario_limit', {
        file: fileName,
        field: '',
        what: 'bytes',
        limit: SCENARIO_LIMITS.bytes,
        value: bytes
      })
    }
  let data: unknown
  try {
    data = parseYaml(yamlText)
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const pos = error.linePos?.[0]
      const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, '')
      return {
        ok: false,
        errors: [`${fileName}: ${pos ? `line ${pos.line}, column ${pos.col}` : '(root)'}: ${reason}`],
        reason: reasonOf('scenario_yaml', {
          file: fileName,
          problem: 'syntax',
          ...(pos ? { line: pos.line, column: pos.col } : {})
        })
      }
    }
    // The parser's guard against alias bombs (`a: &a [*b, *b, …]` nested): maxAliasCount.
    if (error instanceof ReferenceError && /alias/i.test(error.message))
      return {
        ok: false,
        errors: [`${fileName}: (root): ${error.message}`],
        reason: reasonOf('scenario_yaml', { file: fileName, problem: 'aliases' })
      }
    throw error
  }
  const result = scenarioSchema.safeParse(data ?? {})
  if (!result.success) {
    return {
      ok: false,
      errors: zodErrors(fileName, result.error),
      reason: schemaReason(fileName, result.error.issues[0]!)
    }
  }
  const semantic = semanticErrors(result.data)
  if (semantic.length > 0)
    return {
      ok: false,
      errors: semantic.map((e) => `${fileName}: ${e.path}: ${e.reason}`),
      reason: semanticReason(fileName, semantic[0]!)
    }
  return { ok: true, scenario: result.data }
}
