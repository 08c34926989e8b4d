import type { Trace } from '../../../../src-main/core/engine/trace.ts'
import {
  api,
  type ApiCallError,
  subscribe,
  type MethodInput,
  type MethodOutput,
  type StreamEvent
} from '../api.ts'

export type Topology = MethodOutput<'lab:topology'>
/** The cluster as the packet view draws it: devices, wires, groups and Service badges. */
export type Diagram = MethodOutput<'lab:diagram'>
/** A trace's device-level story and each kernel hop's place on the diagram, as the core tells them. */
export type TraceStory = MethodOutput<'trace:run'>['story']
/** One row of the story: what one device did to the packet, as an event code with parameters. */
export type SummaryRow = TraceStory['summary']['rows'][number]
export type TraceEvent = SummaryRow['event']
/** One TCP segment of a traced connection, with the kernel hops it covers. */
export type TcpSegment = TraceStory['summary']['segments'][number]
export type TraceRequest = MethodInput<'trace:run'>['trace']
export type InspectResult = MethodOutput<'lab:inspect'>
export type ExecResult = MethodOutput<'sandbox:exec'>
export type Completion = MethodOutput<'shell:complete'>
export type TerminalEvent = StreamEvent<'lab:terminal'>
export type TerminalInputResult = MethodOutput<'lab:terminalInput'>
/** An interface a trace crossed (`node-1/cni0`), downloadable as a capture of its own. */
export type CapturePoint = MethodOutput<'trace:capturePoints'>['points'][number]
/** One interface's frames as a pcap, or every interface's as one pcapng. */
export type CaptureChoice = NonNullable<MethodInput<'trace:pcap'>['capture']>

/**
 * Terminals that keep running between lines, in lessons and free play alike: each is its own
 * stream on one target, so a capture in one prints what another terminal's commands send, until
 * Ctrl+C.
 */
export interface LiveTerminalHost {
  /** Opens a terminal on `on`; the first event names it (`opened`). Returns how to close it. */
  open(on: string, onEvent: (event: TerminalEvent) => void, onError: (error: Error) => void): () => void
  input(terminalId: string, line: string): Promise<TerminalInputResult>
  /** Ctrl+C (`INT`) or Ctrl+Z (`TSTP`) for the terminal's foreground capture. */
  interrupt(terminalId: string, signal: 'INT' | 'TSTP'): Promise<void>
}

/** A lesson's lab or a free-play world, as the terminal calls name it. */
export type LabRef = MethodInput<'lab:terminalInput'>['lab']

/**
 * The live terminals of one lab over the contract's terminal stream and calls, the same for a
 * lesson and for free play; `after` lets the player take what a line, Ctrl+C or a line that ended
 * by itself changed (a lesson's session, the drawing). `recover` may make a refused terminal
 * possible again (a restarted host opens the lesson anew); the terminal is then opened once more.
 */
export function liveTerminals(
  ref: () => { learnerId: string; lab: LabRef },
  after: {
    input: (output: TerminalInputResult) => Promise<void>
    interrupt: (output: MethodOutput<'lab:terminalInterrupt'>) => void
    ended?: (event: Extract<TerminalEvent, { kind: 'ended' }>) => void
    recover?: (error: ApiCallError) => Promise<boolean>
  }
): LiveTerminalHost {
  return {
    open: (on, onEvent, onError) => {
      let closed = false
      let recovering = false
      const heard = (event: TerminalEvent): void => {
        if (event.kind === 'opened') recovering = false
        if (event.kind === 'ended') after.ended?.(event)
        onEvent(event)
      }
      const failed = (error: ApiCallError): void => {
        if (recovering || !after.recover) return onError(error)
        recovering = true
        after.recover(error).then(
          (again) => {
            if (closed) return
            if (again) unsubscribe = subscribe('lab:terminal', { ...ref(), on }, heard, failed)
            else onError(error)
          },
          () => closed || onError(error)
        )
      }
      let unsubscribe = subscribe('lab:terminal', { ...ref(), on }, heard, failed)
      return () => {
        closed = true
        unsubscribe()
      }
    },
    input: async (terminalId, line) => {
      const output = await api['lab:terminalInput']({ ...ref(), terminalId, line })
      await after.input(output)
      return output
    },
    interrupt: async (terminalId, signal) => {
      after.interrupt(await api['lab:terminalInterrupt']({ ...ref(), terminalId, signal }))
    }
  }
}

/** A command the prose or the inspector asked the terminal to run; `seq` makes a repeated click a new request. */
export interface RunRequest {
  seq: number
  command: string
  /** The target to run it on; the terminal's current tab when absent. */
  on?: string
}

/**
 * What the terminal, the packet stepper and the topology need from a lab, whether it belongs to
 * a lesson (LessonPlayer) or to free play (SandboxPlayer): one set of components serves both.
 */
export interface LabWorkspace {
  readonly topology: Topology | null
  /** Fetched after the topology (the lab opens without waiting for it) and again after every change. */
  readonly diagram: Diagram | null
  /** The trace on the stepper, what was asked for to get it, and its id for the capture download. */
  readonly trace: Trace | null
  readonly traceRequest: TraceRequest | null
  readonly traceId: number | null
  /** The story of the trace on the stepper (null with no trace). */
  readonly story: TraceStory | null
  readonly inspected: InspectResult | null
  readonly selected: string | null
  readonly runRequest: RunRequest | null
  readonly busy: boolean
  /** Present where terminals stay open between lines; otherwise each line runs on its own. */
  readonly live?: LiveTerminalHost
  exec(on: string, line: string): Promise<ExecResult>
  complete(on: string, line: string, cursor: number): Promise<Completion>
  runTrace(request: TraceRequest): Promise<void>
  inspect(objectId: string): Promise<void>
  /** Closes the inspected object's panel; a hotspot answer picked with it stays picked. */
  closeInspection(): void
  requestRun(command: string, on?: string): void
  /** The interfaces the trace on the stepper crossed, for a capture of each. */
  capturePoints(): Promise<CapturePoint[]>
  /** Saves the trace on the stepper as a capture file: one interface's, or all of them. */
  downloadPcap(capture: CaptureChoice): Promise<void>
}

/** Saves a file the host produced (base64 for binary content) through the browser's download. */
export function saveDownload(file: { fileName: string; mimeType: string; base64: string }): void {
  const binary = atob(file.base64)
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }))
  const link = document.createElement('a')
  link.href = url
  link.download = file.fileName
  document.body.append(link)
  link.click()
  link.remove()
  // Revoking at once can cancel the download in Chromium before it has read the blob.
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
