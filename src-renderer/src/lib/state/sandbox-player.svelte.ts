import type { Trace } from '../../../../src-main/core/engine/trace.ts'
import { api, ApiCallError, errorText, type MethodInput } from '../api.ts'
import {
  saveDownload,
  type CaptureChoice,
  type CapturePoint,
  type Completion,
  type Diagram,
  type ExecResult,
  type InspectResult,
  type LabWorkspace,
  liveTerminals,
  type LiveTerminalHost,
  type RunRequest,
  type Topology,
  type TraceRequest,
  type TraceStory
} from './lab-workspace.ts'

type Source = MethodInput<'sandbox:open'>['source']
type Localized = { en: string; 'zh-CN': string }

/**
 * A free-play world: a course scenario or the learner's own file, with the same terminal,
 * stepper and topology as a lesson but no lesson machine. Nothing here is graded or saved.
 */
export class SandboxPlayer implements LabWorkspace {
  readonly learnerId: string
  #sandboxId = $state<string | null>(null)
  #title = $state.raw<Localized | null>(null)
  #topology = $state.raw<Topology | null>(null)
  #diagram = $state.raw<Diagram | null>(null)
  #trace = $state.raw<Trace | null>(null)
  #traceRequest = $state.raw<TraceRequest | null>(null)
  #traceId = $state<number | null>(null)
  #story = $state.raw<TraceStory | null>(null)
  #inspected = $state.raw<InspectResult | null>(null)
  #selected = $state<string | null>(null)
  #runRequest = $state.raw<RunRequest | null>(null)
  #error = $state<string | null>(null)
  #busy = $state(false)
  /** Bumped on every open and reset, so the view can give the terminal fresh tabs. */
  #generation = $state(0)

  constructor(learnerId: string) {
    this.learnerId = learnerId
  }

  get sandboxId(): string | null {
    return this.#sandboxId
  }
  get title(): Localized | null {
    return this.#title
  }
  get generation(): number {
    return this.#generation
  }
  get topology(): Topology | null {
    return this.#topology
  }
  get diagram(): Diagram | null {
    return this.#diagram
  }
  get trace(): Trace | null {
    return this.#trace
  }
  get traceRequest(): TraceRequest | null {
    return this.#traceRequest
  }
  get traceId(): number | null {
    return this.#traceId
  }
  get story(): TraceStory | null {
    return this.#story
  }
  get inspected(): InspectResult | null {
    return this.#inspected
  }
  get selected(): string | null {
    return this.#selected
  }
  get runRequest(): RunRequest | null {
    return this.#runRequest
  }
  get error(): string | null {
    return this.#error
  }
  get busy(): boolean {
    return this.#busy
  }

  /** Opens a world; on a bad file the previous world stays and the error names what to fix. */
  async open(source: Source): Promise<boolean> {
    return this.#guard(async () => {
      const opened = await api['sandbox:open']({ learnerId: this.learnerId, source })
      const ref = { learnerId: this.learnerId, sandboxId: opened.sandboxId }
      const [topology, diagram] = await Promise.all([
        api['sandbox:topology'](ref),
        api['sandbox:diagram'](ref)
      ])
      this.#sandboxId = opened.sandboxId
      this.#title = opened.title
      this.#topology = topology
      this.#diagram = diagram
      this.#forgetTrace()
      this.#generation += 1
    })
  }

  async reset(): Promise<void> {
    const sandboxId = this.#sandboxId
    if (!sandboxId) return
    await this.#guard(async () => {
      this.#topology = await api['sandbox:reset']({ learnerId: this.learnerId, sandboxId })
      this.#diagram = await api['sandbox:diagram']({ learnerId: this.learnerId, sandboxId })
      this.#forgetTrace()
      this.#generation += 1
    })
  }

  async exec(on: string, line: string): Promise<ExecResult> {
    const output = await api['sandbox:exec']({
      learnerId: this.learnerId,
      sandboxId: this.#require(),
      on,
      line
    })
    await this.#refresh()
    return output
  }

  readonly live: LiveTerminalHost = liveTerminals(
    () => ({ learnerId: this.learnerId, lab: { kind: 'sandbox', sandboxId: this.#require() } }),
    { input: () => this.#refresh(), interrupt: () => undefined }
  )

  /** A line may have changed the world: the drawing and an open inspector follow it. */
  async #refresh(): Promise<void> {
    const ref = { learnerId: this.learnerId, sandboxId: this.#require() }
    const [topology, diagram] = await Promise.all([api['sandbox:topology'](ref), api['sandbox:diagram'](ref)])
    this.#topology = topology
    this.#diagram = diagram
    if (this.#selected) await this.inspect(this.#selected)
  }

  complete(on: string, line: string, cursor: number): Promise<Completion> {
    const lab = { kind: 'sandbox' as const, sandboxId: this.#require() }
    return api['shell:complete']({ learnerId: this.learnerId, lab, on, line, cursor })
  }

  async runTrace(request: TraceRequest): Promise<void> {
    await this.#guard(async () => {
      const { trace, traceId, story } = await api['sandbox:trace']({
        learnerId: this.learnerId,
        sandboxId: this.#require(),
        trace: request
      })
      this.#traceRequest = request
      this.#story = story
      this.#trace = trace
      this.#traceId = traceId
    })
  }

  async inspect(objectId: string): Promise<void> {
    this.#selected = objectId
    await this.#guard(async () => {
      this.#inspected = await api['sandbox:inspect']({
        learnerId: this.learnerId,
        sandboxId: this.#require(),
        objectId
      })
    })
  }

  closeInspection(): void {
    this.#inspected = null
  }

  requestRun(command: string, on?: string): void {
    const request: RunRequest = { seq: (this.#runRequest?.seq ?? 0) + 1, command }
    if (on) request.on = on
    this.#runRequest = request
  }

  async capturePoints(): Promise<CapturePoint[]> {
    const traceId = this.#traceId
    let points: CapturePoint[] = []
    if (traceId === null) return points
    await this.#guard(async () => {
      const lab = { kind: 'sandbox' as const, sandboxId: this.#require() }
      points = (await api['trace:capturePoints']({ learnerId: this.learnerId, lab, traceId })).points
    })
    return points
  }

  async downloadPcap(capture: CaptureChoice): Promise<void> {
    const traceId = this.#traceId
    if (traceId === null) return
    await this.#guard(async () => {
      const lab = { kind: 'sandbox' as const, sandboxId: this.#require() }
      saveDownload(await api['trace:pcap']({ learnerId: this.learnerId, lab, traceId, capture }))
    })
  }

  dismissError(): void {
    this.#error = null
  }

  #forgetTrace(): void {
    this.#trace = null
    this.#story = null
    this.#traceRequest = null
    this.#traceId = null
    this.#inspected = null
    this.#selected = null
  }

  #require(): string {
    if (!this.#sandboxId) throw new ApiCallError('not_found', 'no sandbox is open')
    return this.#sandboxId
  }

  async #guard(work: () => Promise<void>): Promise<boolean> {
    this.#busy = true
    this.#error = null
    try {
      await work()
      return true
    } catch (error) {
      this.#error = errorText(error)
      return false
    } finally {
      this.#busy = false
    }
  }
}
