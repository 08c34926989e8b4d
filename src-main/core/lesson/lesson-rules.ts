import { DNS_SERVICE } from '../kube/cluster-dns.ts'
import { formatIptRule, parseIptRule, splitRuleLine } from '../linux/iptables-rule.ts'
import { isKnownSysctl, knownSysctlNames } from '../linux/sysctl.ts'
import type { Scenario } from '../scenario/scenario.schema.ts'
import type { LessonIssue } from './issues.ts'
import type { Lesson, Predicate, Question, TraceSpec } from './lesson.schema.ts'

/**
 * Rules the schema cannot express: uniqueness, keys that make sense, and names that must exist
 * in the lesson's scenario. They run in the loader, so the app lists a lesson that breaks them
 * as unavailable, and again in the checker.
 */
export function checkLessonRules(
  file: string,
  lesson: Lesson,
  scenario: Scenario | undefined
): LessonIssue[] {
  const issues: LessonIssue[] = []
  const add = (path: string, reason: string): void => {
    issues.push({ file, path, reason })
  }
  const names = scenario === undefined ? undefined : scenarioNames(scenario)

  const stepIds = new Set<string>()
  const questionIds = new Set<string>()
  lesson.steps.forEach((step, index) => {
    const at = `steps[${index}]`
    if (stepIds.has(step.id)) add(`${at}.id`, `duplicate step id "${step.id}"`)
    stepIds.add(step.id)
    const checkQuestion = (question: Question, path: string): void => {
      if (questionIds.has(question.id)) add(`${path}.id`, `duplicate question id "${question.id}"`)
      questionIds.add(question.id)
      if (question.topic !== undefined && !lesson.topics.includes(question.topic)) {
        add(`${path}.topic`, `"${question.topic}" is not one of the lesson's topics`)
      }
      issues.push(...checkQuestionKey(file, question, path, names))
    }
    switch (step.kind) {
      case 'task':
        checkPredicate(step.goal, `${at}.goal`)
        for (const field of ['solution', 'wrongAttempt'] as const) {
          step[field]?.forEach((action, i) => {
            if ('run' in action) checkTarget(action.on, `${at}.${field}[${i}].on`)
            else checkTrace(action.trace, `${at}.${field}[${i}].trace`)
          })
        }
        break
      case 'predict': {
        checkTrace(step.trace, `${at}.trace`)
        const prediction = step.prediction
        if ('options' in prediction) {
          const options: readonly string[] = prediction.options
          if (new Set(options).size !== options.length) add(`${at}.prediction.options`, 'duplicate option')
          if (!options.includes(prediction.answer)) {
            add(`${at}.prediction.answer`, `"${prediction.answer}" is not one of the options`)
          }
        }
        if (prediction.what === 'next-device' && names) {
          for (const [i, option] of [prediction.after, ...prediction.options].entries()) {
            checkObject(option, i === 0 ? `${at}.prediction.after` : `${at}.prediction.options[${i - 1}]`)
          }
        }
        if (prediction.what === 'kube-sep' && names) {
          prediction.options.forEach((pod, i) => {
            if (!names.pods.has(pod)) add(`${at}.prediction.options[${i}]`, `no pod "${pod}" in the scenario`)
          })
        }
        if (prediction.what === 'address-owner' && names) {
          checkObject(prediction.at, `${at}.prediction.at`)
          // An option is an interface's object id, or an address that no interface holds.
          prediction.options.forEach((option, i) => {
            if (option.includes('/')) checkObject(option, `${at}.prediction.options[${i}]`)
          })
        }
        if (step.justification) {
          const ids = step.justification.options.map((option) => option.id)
          ids.forEach((id, i) => {
            if (ids.indexOf(id) !== i) add(`${at}.justification.options[${i}].id`, `duplicate id "${id}"`)
          })
          const correct = step.justification.options.filter((option) => option.correct).length
          if (correct !== 1)
            add(
              `${at}.justification.options`,
              `a justification needs exactly one correct option, found ${correct}`
            )
        }
        break
      }
      case 'trace':
        checkTrace(step.trace, `${at}.trace`)
        step.questions.forEach((pinned, i) => {
          checkObject(pinned.hop, `${at}.questions[${i}].hop`)
          checkQuestion(pinned.question, `${at}.questions[${i}].question`)
        })
        break
      case 'quiz':
        step.questions.forEach((question, i) => checkQuestion(question, `${at}.questions[${i}]`))
        break
      case 'read':
      case 'checkpoint':
      case 'review':
        break
    }
  })
  return issues

  function checkTarget(target: string, path: string): void {
    if (!names) return
    const problem = targetProblem(names, target)
    if (problem !== undefined) add(path, problem)
  }

  function checkObject(id: string, path: string): void {
    if (!names) return
    const problem = namespaceProblem(names, id.split('/')[0] as string)
    if (problem !== undefined) add(path, problem)
  }

  /** State parts may also look into a namespace the learner makes with `ip netns add` on a node. */
  function checkNamespace(host: string, path: string): void {
    if (!names) return
    const problem = namespaceProblem(names, host)
    if (problem !== undefined) add(path, problem)
  }

  function checkTrace(trace: TraceSpec, path: string): void {
    checkTarget(trace.from, `${path}.from`)
    if (names && !/^\d+\.\d+\.\d+\.\d+$/.test(trace.to) && !names.hosts.has(trace.to)) {
      add(`${path}.to`, `"${trace.to}" is neither an IPv4 address nor a pod, node or host in the scenario`)
    }
    if (trace.protocol !== 'icmp' && trace.port === undefined)
      add(`${path}.port`, `a ${trace.protocol} trace needs a port`)
    if (trace.connection !== undefined && trace.protocol !== 'tcp')
      add(`${path}.connection`, `connection applies to a tcp trace, not ${trace.protocol}`)
  }

  function checkPredicate(predicate: Predicate, path: string): void {
    switch (predicate.kind) {
      case 'all':
      case 'any':
        predicate.of.forEach((child, i) => checkPredicate(child, `${path}.of[${i}]`))
        break
      case 'not':
        checkPredicate(predicate.predicate, `${path}.predicate`)
        break
      case 'command-ran':
        checkTarget(predicate.on, `${path}.on`)
        break
      case 'trace':
        checkTarget(predicate.from, `${path}.from`)
        break
      case 'link-state':
        checkObject(predicate.link, `${path}.link`)
        break
      case 'pod-exists':
        if (names && !names.pods.has(predicate.pod))
          add(`${path}.pod`, `no pod "${predicate.pod}" in the scenario`)
        break
      case 'fdb-entry':
        checkObject(predicate.device, `${path}.device`)
        break
      case 'link':
        checkObject(predicate.link, `${path}.link`)
        break
      case 'neighbour':
        checkObject(predicate.device, `${path}.device`)
        break
      case 'route':
        checkNamespace(predicate.on, `${path}.on`)
        break
      case 'sysctl':
        checkTarget(predicate.on, `${path}.on`)
        if (!isKnownSysctl(predicate.key))
          add(
            `${path}.key`,
            `the simulator has no sysctl "${predicate.key}" (it knows ${knownSysctlNames().join(', ')})`
          )
        break
      case 'iptables-rule': {
        checkTarget(predicate.on, `${path}.on`)
        if (names?.pods.has(predicate.on))
          add(`${path}.on`, `"${predicate.on}" is a pod; iptables runs on nodes and external hosts only`)
        const problem = iptablesRuleProblem(predicate.rule)
        if (problem !== undefined) add(`${path}.rule`, problem)
        break
      }
      case 'endpoints':
        if (names && !names.services.has(predicate.service))
          add(`${path}.service`, `no Service "${predicate.service}" in the scenario`)
        break
    }
  }
}

/**
 * Why a goal's rule can never match, or undefined when it is written as `iptables -S` prints it:
 * the goal compares printed lines, and `-p udp --dport 8472` prints with its implicit `-m udp`.
 */
function iptablesRuleProblem(line: string): string | undefined {
  const [, chain, ...spec] = splitRuleLine(line)
  const parsed = parseIptRule(spec)
  if (!parsed.ok) return `iptables cannot parse this rule: ${parsed.message}`
  const printed = formatIptRule(chain ?? '', parsed.rule)
  return printed === line ? undefined : `iptables -S prints this rule as "${printed}"`
}

/** Why `target` names no shell of the scenario, or undefined when it names one. */
export function targetProblem(names: ScenarioNames, target: string): string | undefined {
  const [host, container, extra] = target.split('/')
  if (extra !== undefined || host === undefined)
    return `"${target}" is not a node, pod, pod/container or external host`
  if (container !== undefined) {
    const containers = names.containers.get(host)
    if (!containers) return `no pod "${host}" in the scenario`
    if (!containers.has(container)) return `pod "${host}" has no container "${container}"`
    return undefined
  }
  if (!names.hosts.has(host)) return `no node, pod or external host "${host}" in the scenario`
  return undefined
}

/**
 * Why `host` names no namespace a state part can look into: a node, pod or external host of the
 * scenario, or `node:name` for one made with `ip netns add` on a node (it exists only once made).
 */
function namespaceProblem(names: ScenarioNames, host: string): string | undefined {
  const [owner, netns] = host.split(':') as [string, string | undefined]
  if (netns === undefined)
    return names.hosts.has(host) ? undefined : `no node, pod or external host "${host}" in the scenario`
  return names.nodes.has(owner)
    ? undefined
    : `no node "${owner}" in the scenario to hold namespace "${netns}"`
}

export interface ScenarioNames {
  nodes: Set<string>
  pods: Set<string>
  /** Nodes, pods and external hosts: everything an object id or target may start with. */
  hosts: Set<string>
  containers: Map<string, Set<string>>
  services: Set<string>
}

export function scenarioNames(scenario: Scenario): ScenarioNames {
  const pods = new Set(scenario.pods.map((pod) => pod.name))
  return {
    nodes: new Set(scenario.nodes.map((node) => node.name)),
    pods,
    hosts: new Set([
      ...scenario.nodes.map((node) => node.name),
      ...pods,
      ...scenario.externalHosts.map((host) => host.name)
    ]),
    containers: new Map(scenario.pods.map((pod) => [pod.name, new Set(pod.containers.map((c) => c.name))])),
    // The cluster's own kube-dns counts: a lesson on cluster DNS breaks and repairs it.
    services: new Set([
      ...scenario.services.map((svc) => svc.name),
      ...(scenario.cluster.dns.enabled ? [DNS_SERVICE] : [])
    ])
  }
}

/** Answer keys that cannot be graded: no correct option, duplicate ids, patterns nobody can match. */
function checkQuestionKey(
  file: string,
  question: Question,
  path: string,
  names: ScenarioNames | undefined
): LessonIssue[] {
  const issues: LessonIssue[] = []
  const add = (at: string, reason: string): void => {
    issues.push({ file, path: at, reason })
  }
  const uniqueIds = (ids: string[], at: string): void => {
    const seen = new Set<string>()
    ids.forEach((id, i) => {
      if (seen.has(id)) add(`${at}[${i}].id`, `duplicate id "${id}"`)
      seen.add(id)
    })
  }
  switch (question.kind) {
    case 'single': {
      uniqueIds(
        question.options.map((o) => o.id),
        `${path}.options`
      )
      const correct = question.options.filter((o) => o.correct).length
      if (correct !== 1)
        add(`${path}.options`, `a single-choice question needs exactly one correct option, found ${correct}`)
      break
    }
    case 'multiple':
      uniqueIds(
        question.options.map((o) => o.id),
        `${path}.options`
      )
      if (!question.options.some((o) => o.correct))
        add(`${path}.options`, 'a multiple-choice question needs at least one correct option')
      break
    case 'ordering':
      uniqueIds(
        question.items.map((item) => item.id),
        `${path}.items`
      )
      break
    case 'numeric':
      question.feedback.forEach((entry, i) => {
        if (Math.abs(entry.value - question.answer) <= question.tolerance) {
          add(
            `${path}.feedback[${i}].value`,
            `${entry.value} is within the tolerance of the answer, so this feedback would never show`
          )
        }
      })
      break
    case 'text':
      if (
        !question.accept.some((pattern) => new RegExp(`^(?:${pattern})$`, 'i').test(question.modelAnswer))
      ) {
        add(`${path}.modelAnswer`, `"${question.modelAnswer}" matches none of the accepted patterns`)
      }
      break
    case 'hotspot':
      if (names) {
        question.answer.forEach((id, i) => {
          const host = id.split('/')[0] as string
          if (!names.hosts.has(host))
            add(`${path}.answer[${i}]`, `no node, pod or external host "${host}" in the scenario`)
        })
      }
      break
  }
  return issues
}
