import type { CommandFacts, LabFacts, TraceFacts } from './lab-facts.ts'
import type { Localized, Predicate, TraceSpec } from './lesson.schema.ts'

/**
 * Goal evaluation. Event leaves (`command-ran`, `trace`) hold once a matching event happened
 * during the step; the machine records the paths of the leaves each event satisfied, so the
 * context stays small and serializable. State leaves query the lab as it is now.
 */

export interface GoalEvaluation {
  pass: boolean
  /** Paths of the leaves that currently fail, e.g. `goal.of[1]`. */
  failing: string[]
  /** The most specific dynamic hint for what fails, if the author wrote one. */
  hint?: Localized
}

/** Every leaf path of a goal paired with its predicate, in document order. */
function leaves(predicate: Predicate, path: string): [string, Predicate][] {
  switch (predicate.kind) {
    case 'all':
    case 'any':
      return predicate.of.flatMap((child, i) => leaves(child, `${path}.of[${i}]`))
    case 'not':
      return leaves(predicate.predicate, `${path}.predicate`)
    default:
      return [[path, predicate]]
  }
}

/** Paths of the event leaves a command satisfies. */
export function leavesSatisfiedByCommand(goal: Predicate, command: CommandFacts): string[] {
  return leaves(goal, 'goal')
    .filter(([, leaf]) => leaf.kind === 'command-ran' && commandMatches(leaf, command))
    .map(([path]) => path)
}

/** Paths of the event leaves a finished trace satisfies. */
export function leavesSatisfiedByTrace(goal: Predicate, trace: TraceFacts): string[] {
  return leaves(goal, 'goal')
    .filter(([, leaf]) => leaf.kind === 'trace' && traceMatches(leaf, trace))
    .map(([path]) => path)
}

function commandMatches(leaf: Extract<Predicate, { kind: 'command-ran' }>, command: CommandFacts): boolean {
  // A leaf naming a pod accepts commands in any of its containers: they share the network namespace.
  const host = command.on.split('/')[0]
  if (leaf.on !== command.on && leaf.on !== host) return false
  if (leaf.command !== undefined && !new RegExp(leaf.command).test(command.command)) return false
  if (leaf.output !== undefined && !new RegExp(leaf.output, 'm').test(command.output)) return false
  return leaf.exitCode === undefined || leaf.exitCode === command.exitCode
}

function traceMatches(leaf: Extract<Predicate, { kind: 'trace' }>, trace: TraceFacts): boolean {
  if (leaf.from !== trace.spec.from || leaf.to !== trace.spec.to || leaf.verdict !== trace.verdict)
    return false
  return leaf.stage === undefined || leaf.stage === trace.dropStage
}

/** Whether two trace specs ask for the same packet (the renderer may omit defaults). */
export function sameTrace(a: TraceSpec, b: TraceSpec): boolean {
  return a.from === b.from && a.to === b.to && a.protocol === b.protocol && a.port === b.port
}

export function evaluateGoal(goal: Predicate, facts: LabFacts, satisfied: readonly string[]): GoalEvaluation {
  const result = walk(goal, 'goal')
  const out: GoalEvaluation = { pass: result.pass, failing: result.failing }
  if (result.hint) out.hint = result.hint
  return out

  /** Failing leaves are reported only where they decide the outcome: not inside an `any` that holds. */
  function walk(
    predicate: Predicate,
    path: string
  ): { pass: boolean; failing: string[]; hint?: Localized | undefined } {
    switch (predicate.kind) {
      case 'all': {
        const children = predicate.of.map((child, i) => walk(child, `${path}.of[${i}]`))
        if (children.every((c) => c.pass)) return { pass: true, failing: [] }
        // The first failing part's own hint is more specific than the group's.
        const hint = children.find((c) => !c.pass && c.hint)?.hint ?? predicate.hint
        return { pass: false, failing: children.flatMap((c) => c.failing), hint }
      }
      case 'any': {
        const children = predicate.of.map((child, i) => walk(child, `${path}.of[${i}]`))
        if (children.some((c) => c.pass)) return { pass: true, failing: [] }
        return {
          pass: false,
          failing: children.flatMap((c) => c.failing),
          hint: predicate.hint ?? children.find((c) => c.hint)?.hint
        }
      }
      case 'not': {
        // Under a `not`, a leaf that holds is what fails, so the `not` itself is the failing part.
        const inner = walk(predicate.predicate, `${path}.predicate`).pass
        return inner ? { pass: false, failing: [path], hint: predicate.hint } : { pass: true, failing: [] }
      }
      default: {
        const pass = leafHolds(predicate, path, facts, satisfied)
        return pass ? { pass, failing: [] } : { pass, failing: [path], hint: predicate.hint }
      }
    }
  }
}

function leafHolds(
  predicate: Predicate,
  path: string,
  facts: LabFacts,
  satisfied: readonly string[]
): boolean {
  switch (predicate.kind) {
    case 'command-ran':
    case 'trace':
      return satisfied.includes(path)
    case 'link-state':
      return facts.linkState(predicate.link) === predicate.state
    case 'pod-exists':
      return facts.podExists(predicate.pod) === predicate.exists
    case 'fdb-entry': {
      const entries = facts.fdbEntries(predicate.device) ?? []
      const found = entries.some(
        (e) =>
          (predicate.mac === undefined || e.mac === predicate.mac) &&
          (predicate.dst === undefined || e.dst === predicate.dst)
      )
      return found === predicate.present
    }
    case 'link': {
      const link = facts.link(predicate.link)
      const found =
        link !== undefined &&
        (predicate.type === undefined || link.type === predicate.type) &&
        (predicate.master === undefined || link.master === predicate.master) &&
        (predicate.address === undefined || link.addresses.includes(predicate.address)) &&
        (predicate.mtu === undefined || link.mtu === predicate.mtu)
      return found === predicate.present
    }
    case 'neighbour': {
      const found = (facts.neighbours(predicate.device) ?? []).some(
        (n) =>
          n.address === predicate.address &&
          (predicate.lladdr === undefined || n.lladdr === predicate.lladdr) &&
          (predicate.permanent === undefined || (n.state === 'PERMANENT') === predicate.permanent)
      )
      return found === predicate.present
    }
    case 'route': {
      const found = (facts.routes(predicate.on) ?? []).some(
        (r) =>
          r.destination === predicate.destination && (predicate.via === undefined || r.via === predicate.via)
      )
      return found === predicate.present
    }
    case 'sysctl':
      return facts.sysctl(predicate.on, predicate.key) === predicate.value
    case 'iptables-rule':
      return (
        (facts.iptablesRules(predicate.on, predicate.table) ?? []).includes(predicate.rule) ===
        predicate.present
      )
    case 'endpoints': {
      const port = predicate.port
      const endpoints = (facts.endpoints(predicate.service) ?? []).filter(
        (e) => port === undefined || e.port === port
      )
      return endpoints.length >= predicate.min
    }
    default:
      return false
  }
}
