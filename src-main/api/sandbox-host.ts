import { createHash } from 'node:crypto'
import { sendProbe } from '../core/engine/probe.ts'
import type { Trace } from '../core/engine/trace.ts'
import { probeSpecOf } from '../core/lesson/lab-adapter.ts'
import type { TraceSpec } from '../core/lesson/lesson.schema.ts'
import { parseScenario } from '../core/scenario/parse-scenario.ts'
import { buildLab } from '../core/scenario/build-lab.ts'
import type { Scenario } from '../core/scenario/scenario.schema.ts'
import type { Completion } from '../core/shell/complete.ts'
import { LabShell } from '../core/shell/lab-shell.ts'
import type { Localized } from '../core/lesson/lesson.schema.ts'
import { ApiError } from './envelope.ts'
import { inspect, type InspectSection } from './inspect.ts'
import { completeOn, pcapDownload, TraceMemory, type DownloadFile } from './lab-tools.ts'
import { topologyOf, type Topology } from './topology.ts'

/** Where a sandbox's scenario comes from: a lesson of the course, or a file the learner chose. */
export type SandboxSource =
  | { kind: 'lesson'; lessonId: string; title: Localized; scenario: Scenario; scenarioText: string }
  | { kind: 'file'; fileName: string; content: string }

interface Sandbox {
  id: string
  title: Localized
  scenario: Scenario
  /** Says in error messages which scenario a failing `setup:` line belongs to. */
  origin: string
  shell: LabShell
  traces: TraceMemory
  lastUsed: number
}

/** A learner keeps a few worlds open at once; the least recently used goes first beyond that. */
const sandboxesPerLearner = 6

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12)

/**
 * Free play: a world per learner and scenario, outside any lesson. Nothing here feeds a lesson
 * machine or the progress store: experiments never count as answers, and a reset only rebuilds
 * the world. Worlds live in memory; the scenario is the learner's to keep.
 */
export class SandboxHost {
  readonly #sandboxes = new Map<string, Map<string, Sandbox>>()
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
  }

  /** Opens the world for this scenario, or returns the one already open with its changes kept. */
  open(learnerId: string, source: SandboxSource): { sandboxId: string; title: Localized } {
    const own = this.#sandboxes.get(learnerId) ?? new Map<string, Sandbox>()
    this.#sandboxes.set(learnerId, own)
    const parsed = this.#scenarioOf(source)
    const existing = own.get(parsed.id)
    if (existing) {
      existing.lastUsed = this.#now()
      return { sandboxId: existing.id, title: existing.title }
    }
    const sandbox: Sandbox = {
      ...parsed,
      shell: buildShell(parsed.scenario, parsed.origin),
      traces: new TraceMemory(),
      lastUsed: this.#now()
    }
    own.set(sandbox.id, sandbox)
    while (own.size > sandboxesPerLearner) {
      const oldest = [...own.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0]
      if (oldest) own.delete(oldest.id)
    }
    return { sandboxId: sandbox.id, title: sandbox.title }
  }

  exec(
    learnerId: string,
    sandboxId: string,
    on: string,
    line: string
  ): { stdout: string; stderr: string; exitCode: number } {
    const result = this.#require(learnerId, sandboxId).shell.run(on, line)
    if (!result) {
      return {
        stdout: '',
        stderr: `podnet: no node, pod, pod/container or external host named "${on}"\n`,
        exitCode: 127
      }
    }
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode }
  }

  trace(learnerId: string, sandboxId: string, spec: TraceSpec): { trace: Trace; traceId: number } {
    const sandbox = this.#require(learnerId, sandboxId)
    const lab = sandbox.shell.lab
    const trace = sendProbe(lab, probeSpecOf(lab, spec))
    return { trace, traceId: sandbox.traces.keep(trace) }
  }

  topology(learnerId: string, sandboxId: string): Topology {
    return topologyOf(this.#require(learnerId, sandboxId).shell.lab)
  }

  inspect(learnerId: string, sandboxId: string, objectId: string): InspectSection[] {
    const { shell } = this.#require(learnerId, sandboxId)
    const sections = inspect(shell, topologyOf(shell.lab), objectId)
    if (!sections) throw new ApiError('not_found', `no object "${objectId}" in this sandbox's cluster`)
    return sections
  }

  complete(learnerId: string, sandboxId: string, on: string, line: string, cursor: number): Completion {
    return completeOn(this.#require(learnerId, sandboxId).shell, on, line, cursor)
  }

  pcap(learnerId: string, sandboxId: string, traceId: number): DownloadFile {
    const sandbox = this.#require(learnerId, sandboxId)
    return pcapDownload(sandbox.shell.lab, sandbox.traces.get(traceId))
  }

  /** Builds the scenario afresh: every change the learner made is gone, the world is as the file says. */
  reset(learnerId: string, sandboxId: string): void {
    const sandbox = this.#require(learnerId, sandboxId)
    sandbox.shell = buildShell(sandbox.scenario, sandbox.origin)
    sandbox.traces.clear()
  }

  #scenarioOf(source: SandboxSource): Pick<Sandbox, 'id' | 'title' | 'scenario' | 'origin'> {
    if (source.kind === 'lesson') {
      return {
        id: `lesson-${source.lessonId}-${digest(source.scenarioText)}`,
        title: source.title,
        scenario: source.scenario,
        origin: `the scenario of lesson "${source.lessonId}"`
      }
    }
    const parsed = parseScenario(source.content, source.fileName)
    if (!parsed.ok) throw new ApiError('invalid_input', parsed.errors.join('; '))
    const name = parsed.scenario.title ?? { en: source.fileName, 'zh-CN': source.fileName }
    return {
      id: `file-${digest(source.content)}`,
      title: name,
      scenario: parsed.scenario,
      origin: source.fileName
    }
  }

  #require(learnerId: string, sandboxId: string): Sandbox {
    const sandbox = this.#sandboxes.get(learnerId)?.get(sandboxId)
    if (!sandbox)
      throw new ApiError('not_found', `sandbox "${sandboxId}" is not open for this learner; open it first`)
    sandbox.lastUsed = this.#now()
    return sandbox
  }
}

/** A scenario's world with its `setup:` lines applied; a failing line names the file and the line. */
function buildShell(scenario: Scenario, origin: string): LabShell {
  const shell = new LabShell(buildLab(scenario))
  const problems = shell.applySetup()
  if (problems.length > 0) throw new ApiError('invalid_input', `${origin}: ${problems.join('; ')}`)
  return shell
}
