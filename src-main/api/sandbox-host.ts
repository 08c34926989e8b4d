import { createHash } from 'node:crypto'
import type { Trace } from '../core/engine/trace.ts'
import type { TraceSpec } from '../core/lesson/lesson.schema.ts'
import { parseScenario } from '../core/scenario/parse-scenario.ts'
import type { Scenario } from '../core/scenario/scenario.schema.ts'
import type { Completion } from '../core/shell/complete.ts'
import type { Localized } from '../core/lesson/lesson.schema.ts'
import { callWithRebuild } from '../labs/call-with-rebuild.ts'
import { LabStopped, type LabPool, type Reopen } from '../labs/lab-pool.ts'
import type { PendingPrediction } from '../labs/pending-probe.ts'
import type {
  ExecResult,
  LabOp,
  LabReplies,
  LabRequest,
  PositionedEntry,
  SandboxOpen,
  TerminalEvent,
  TerminalInputResult,
  TraceStory
} from '../labs/protocol.ts'
import { TerminalOwners } from './terminal-owners.ts'
import { ApiError } from './envelope.ts'
import { reason } from './error-reasons.ts'
import type { InspectSection } from './inspect.ts'
import type { CaptureChoice, DownloadFile } from './lab-tools.ts'
import type { CapturePoint } from '../core/shell/trace-pcap.ts'
import type { StoppedCommand } from './lesson-host.ts'
import type { DiagramModel } from '../core/diagram/model.ts'
import type { Topology } from './topology.ts'

/** Where a sandbox's scenario comes from: a lesson of the course, or a file the learner chose. */
export type SandboxSource =
  | { kind: 'lesson'; lessonId: string; title: Localized; scenario: Scenario; scenarioText: string }
  | { kind: 'file'; fileName: string; content: string }

interface Sandbox {
  id: string
  labKey: string
  title: Localized
  scenario: Scenario
  /** Says in error messages which scenario a failing `setup:` line belongs to. */
  origin: string
  /** The lesson whose scenario this is, when it is one. */
  lessonId?: string
  /** Every change since the scenario was built; stopped entries keep their place, never replayed. */
  journal: (PositionedEntry & { stopped: boolean })[]
  lastUsed: number
}

/** A learner keeps a few worlds open at once; the least recently used goes first beyond that. */
const sandboxesPerLearner = 6

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12)

/**
 * Free play: a world per learner and scenario, outside any lesson. Nothing here feeds a lesson
 * machine or the progress store: experiments never count as answers, and a reset only rebuilds
 * the world. The worlds run in the lab pool; their journals stay here, in memory, so a world
 * whose worker was replaced or which was closed as idle is rebuilt as the learner left it.
 */
export class SandboxHost {
  readonly #sandboxes = new Map<string, Map<string, Sandbox>>()
  readonly #terminals: TerminalOwners
  readonly #pool: LabPool
  readonly #now: () => number

  constructor(pool: LabPool, now: () => number) {
    this.#pool = pool
    this.#now = now
    this.#terminals = new TerminalOwners(pool)
  }

  /** Opens the world for this scenario, or returns the one already open with its changes kept. */
  async open(learnerId: string, source: SandboxSource): Promise<{ sandboxId: string; title: Localized }> {
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
      labKey: `sandbox\u0000${learnerId}\u0000${parsed.id}`,
      journal: [],
      lastUsed: this.#now()
    }
    // Built before it is kept: a scenario whose setup fails is reported, not half-opened.
    await this.#pool.call(this.#openRequest(sandbox), () => this.#reopen(sandbox))
    own.set(sandbox.id, sandbox)
    while (own.size > sandboxesPerLearner) {
      const oldest = [...own.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0]
      if (!oldest) break
      own.delete(oldest.id)
      this.#pool.close(oldest.labKey)
    }
    return { sandboxId: sandbox.id, title: sandbox.title }
  }

  async exec(
    learnerId: string,
    sandboxId: string,
    on: string,
    line: string
  ): Promise<ExecResult & { stopped?: StoppedCommand }> {
    const sandbox = this.#require(learnerId, sandboxId)
    try {
      const { result } = await this.#call(sandbox, { op: 'sandbox.exec', labKey: sandbox.labKey, on, line })
      return result
    } catch (error) {
      if (!(error instanceof LabStopped) || error.duringReopen) throw error
      return {
        stdout: '',
        stderr: '',
        exitCode: 124,
        stopped: { afterMs: error.budgetMs, reason: error.stoppedBy }
      }
    }
  }

  /**
   * A packet sent in free play. `pendingOf` names the prediction a lesson waits for: in a copy of
   * that lesson's scenario its packet is refused as it is in the lesson.
   */
  async trace(
    learnerId: string,
    sandboxId: string,
    spec: TraceSpec,
    pendingOf: (lessonId: string) => PendingPrediction | undefined
  ): Promise<{ trace: Trace; traceId: number; story: TraceStory }> {
    const sandbox = this.#require(learnerId, sandboxId)
    const pending = sandbox.lessonId === undefined ? undefined : pendingOf(sandbox.lessonId)
    const { trace, traceId, story } = await this.#call(sandbox, {
      op: 'sandbox.trace',
      labKey: sandbox.labKey,
      spec,
      ...(pending ? { pending } : {})
    })
    return { trace, traceId, story }
  }

  topology(learnerId: string, sandboxId: string): Promise<Topology> {
    const sandbox = this.#require(learnerId, sandboxId)
    return this.#call(sandbox, { op: 'lab.topology', labKey: sandbox.labKey })
  }

  /** The sandbox's cluster as the packet view draws it: devices, wires and groups. */
  diagram(learnerId: string, sandboxId: string): Promise<DiagramModel> {
    const sandbox = this.#require(learnerId, sandboxId)
    return this.#call(sandbox, { op: 'lab.diagram', labKey: sandbox.labKey })
  }

  async inspect(learnerId: string, sandboxId: string, objectId: string): Promise<InspectSection[]> {
    const sandbox = this.#require(learnerId, sandboxId)
    const sections = await this.#call(sandbox, { op: 'lab.inspect', labKey: sandbox.labKey, objectId })
    if (!sections) {
      throw new ApiError('not_found', `no object "${objectId}" in this sandbox's cluster`, {
        reason: reason('unknown_target', { name: objectId })
      })
    }
    return sections
  }

  complete(
    learnerId: string,
    sandboxId: string,
    on: string,
    line: string,
    cursor: number
  ): Promise<Completion> {
    const sandbox = this.#require(learnerId, sandboxId)
    return this.#call(sandbox, { op: 'lab.complete', labKey: sandbox.labKey, on, line, cursor })
  }

  pcap(learnerId: string, sandboxId: string, traceId: number, capture: CaptureChoice): Promise<DownloadFile> {
    const sandbox = this.#require(learnerId, sandboxId)
    return this.#call(sandbox, { op: 'lab.pcap', labKey: sandbox.labKey, traceId, capture })
  }

  capturePoints(learnerId: string, sandboxId: string, traceId: number): Promise<CapturePoint[]> {
    const sandbox = this.#require(learnerId, sandboxId)
    return this.#call(sandbox, { op: 'lab.capturePoints', labKey: sandbox.labKey, traceId })
  }

  /**
   * A live terminal on `on` in the learner's world: `onEvent` hears what it prints between lines
   * (captures as other terminals make traffic, the end of a line that waited) and `closed` when
   * the world went away. The returned `close` stops its processes.
   */
  openTerminal(
    learnerId: string,
    sandboxId: string,
    on: string,
    onEvent: (event: TerminalEvent) => void
  ): Promise<{ terminalId: string; close: () => void }> {
    const sandbox = this.#require(learnerId, sandboxId)
    return this.#terminals.open(learnerId, sandbox.labKey, on, onEvent, (terminalId) =>
      this.#call(sandbox, { op: 'terminal.open', labKey: sandbox.labKey, terminalId, on })
    )
  }

  /** A line typed into a live terminal; `running` while it waits on a capture or `wait`. */
  async terminalInput(
    learnerId: string,
    sandboxId: string,
    terminalId: string,
    line: string
  ): Promise<TerminalInputResult> {
    const sandbox = this.#terminal(learnerId, sandboxId, terminalId)
    const { result } = await this.#call(sandbox, {
      op: 'terminal.input',
      labKey: sandbox.labKey,
      terminalId,
      line
    })
    return result
  }

  /** Ctrl+C (or Ctrl+Z) in a live terminal. */
  async interrupt(
    learnerId: string,
    sandboxId: string,
    terminalId: string,
    signal: 'INT' | 'TSTP' = 'INT'
  ): Promise<void> {
    const sandbox = this.#terminal(learnerId, sandboxId, terminalId)
    await this.#call(sandbox, { op: 'terminal.interrupt', labKey: sandbox.labKey, terminalId, signal })
  }

  #terminal(learnerId: string, sandboxId: string, terminalId: string): Sandbox {
    const sandbox = this.#require(learnerId, sandboxId)
    this.#terminals.check(learnerId, sandbox.labKey, terminalId)
    return sandbox
  }

  /** Builds the scenario afresh: every change the learner made is gone, the world is as the file says. */
  async reset(learnerId: string, sandboxId: string): Promise<void> {
    const sandbox = this.#require(learnerId, sandboxId)
    await this.#call(sandbox, { op: 'sandbox.reset', labKey: sandbox.labKey })
    sandbox.journal = []
  }

  /** Forgets one learner's worlds, when their profile is deleted. */
  forget(learnerId: string): void {
    for (const s of this.#sandboxes.get(learnerId)?.values() ?? []) this.#pool.close(s.labKey)
    this.#sandboxes.delete(learnerId)
  }

  /** Forgets every world (nothing of a sandbox is saved). */
  closeAll(): void {
    for (const own of this.#sandboxes.values()) for (const s of own.values()) this.#pool.close(s.labKey)
    this.#sandboxes.clear()
  }

  #openRequest(sandbox: Sandbox): SandboxOpen {
    return {
      op: 'sandbox.open',
      labKey: sandbox.labKey,
      scenario: sandbox.scenario,
      origin: sandbox.origin,
      journal: sandbox.journal.filter((e) => !e.stopped).map(({ position, entry }) => ({ position, entry })),
      nextPosition: sandbox.journal.length
    }
  }

  #reopen(sandbox: Sandbox): Reopen {
    return { request: this.#openRequest(sandbox), opened: () => undefined }
  }

  async #call<O extends LabOp>(
    sandbox: Sandbox,
    request: Extract<LabRequest, { op: O }>
  ): Promise<LabReplies[O]> {
    const value = await callWithRebuild(
      this.#pool,
      request,
      () => this.#reopen(sandbox),
      (stop) => this.#journalStopped(sandbox, stop)
    )
    if (typeof value === 'object' && value !== null && 'journaled' in value)
      for (const e of (value as { journaled: PositionedEntry[] }).journaled)
        sandbox.journal.push({ ...e, stopped: false })
    return value
  }

  /** A stopped entry keeps its place in the journal and is never replayed. */
  #journalStopped(sandbox: Sandbox, stop: LabStopped): void {
    const running = stop.running
    if (!running || running.labKey !== sandbox.labKey) return
    const known = sandbox.journal.find((e) => e.position === running.entry.position)
    if (known) known.stopped = true
    else sandbox.journal.push({ ...running.entry, stopped: true })
  }

  #scenarioOf(source: SandboxSource): Pick<Sandbox, 'id' | 'title' | 'scenario' | 'origin' | 'lessonId'> {
    if (source.kind === 'lesson') {
      return {
        id: `lesson-${source.lessonId}-${digest(source.scenarioText)}`,
        title: source.title,
        scenario: source.scenario,
        origin: `the scenario of lesson "${source.lessonId}"`,
        lessonId: source.lessonId
      }
    }
    const parsed = parseScenario(source.content, source.fileName)
    if (!parsed.ok) throw new ApiError('invalid_input', parsed.errors.join('; '), { reason: parsed.reason })
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
      throw new ApiError('not_found', `sandbox "${sandboxId}" is not open for this learner; open it first`, {
        reason: reason('unknown_sandbox', { sandboxId })
      })
    sandbox.lastUsed = this.#now()
    return sandbox
  }
}
