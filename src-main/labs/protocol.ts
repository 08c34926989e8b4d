import type { Placement } from '../core/diagram/place.ts'
import type { TraceSummary } from '../core/diagram/summary.ts'
import type { ProbeSpec, Trace } from '../core/engine/trace.ts'
import type { LoadedLesson } from '../core/lesson/course-loader.ts'
import type { LessonEvent } from '../core/lesson/lesson.machine.ts'
import type { Localized, TraceSpec } from '../core/lesson/lesson.schema.ts'
import type { ProgressRecord } from '../core/lesson/progress-records.ts'
import type { LessonView, StepView } from '../core/lesson/snapshot-view.ts'
import type { Scenario } from '../core/scenario/scenario.schema.ts'
import type { Completion } from '../core/shell/complete.ts'
import type { ToolElsewhere } from '../core/shell/shell.ts'
import type { ApiErrorBody } from '../api/envelope.ts'
import type { InspectSection } from '../api/inspect.ts'
import type { CaptureChoice, DownloadFile } from '../api/lab-tools.ts'
import type { CapturePoint } from '../core/shell/trace-pcap.ts'
import type { DiagramModel } from '../core/diagram/model.ts'
import type { Topology } from '../api/topology.ts'
import type { PendingPrediction } from './pending-probe.ts'

/**
 * The messages between the host thread and a lab worker. Labs live in workers so that a slow
 * command stops one worker, never the host; the host keeps everything durable (the store, the
 * journals) and can rebuild any lab from it.
 */

/**
 * What changed a lab, in order. The simulator is deterministic, so replaying a lab's journal on
 * its scenario gives back exactly the cluster the learner left.
 */
export type LabJournalEntry =
  /** `terminal`: typed into that live terminal, whose jobs must not outlive its replay. */
  { kind: 'exec'; on: string; line: string; terminal?: string } | { kind: 'trace'; spec: ProbeSpec }

/** A journal entry with its place in the lab's journal (stopped entries keep their place). */
export interface PositionedEntry {
  position: number
  entry: LabJournalEntry
}

export interface ExecResult {
  stdout: string
  stderr: string
  exitCode: number
  /** The lab's note when a tool was not found here but other shells have it. */
  elsewhere?: ToolElsewhere
}

/**
 * A line typed into a live terminal: with `running` it waits (a capture, `wait`) and the stream
 * carries the rest; with `continues` bash would read more first (`> `), and nothing ran yet.
 */
export type TerminalInputResult = ExecResult & { running?: true; continues?: true }

/** What the host writes to the store after one lesson transition. */
export interface LessonPersist {
  /** xstate's persisted snapshot of the lesson machine. */
  machine: unknown
  stepId: string
  stepJournalStart: number
  records: { record: ProgressRecord; answer: unknown }[]
  /** Set once, on the transition that first reaches the lesson's end. */
  completed?: { score: number; passed: boolean }
}

/** Every lesson operation answers with the new view, what to persist and what to journal. */
export interface LessonOutcome {
  view: LessonView
  persists: LessonPersist[]
  journaled: PositionedEntry[]
}

export interface LessonOpen {
  op: 'lesson.open'
  labKey: string
  loaded: LoadedLesson
  machine: unknown
  /** Entries to replay (stopped ones already left out), in order. */
  journal: PositionedEntry[]
  /** Where the next entry goes: the journal's length, stopped entries included. */
  nextPosition: number
  stepJournalStart: number
  wasCompleted: boolean
}

export interface SandboxOpen {
  op: 'sandbox.open'
  labKey: string
  scenario: Scenario
  origin: string
  journal: PositionedEntry[]
  nextPosition: number
}

export type OpenRequest = LessonOpen | SandboxOpen

export type LabRequest =
  | OpenRequest
  | { op: 'lesson.view'; labKey: string }
  | { op: 'lesson.step'; labKey: string; stepId: string }
  | { op: 'lesson.send'; labKey: string; event: LessonEvent }
  | { op: 'lesson.exec'; labKey: string; on: string; line: string }
  | { op: 'lesson.trace'; labKey: string; spec: TraceSpec }
  | { op: 'lesson.reset'; labKey: string; scope: 'lab' | 'step'; journal: PositionedEntry[] }
  | { op: 'sandbox.exec'; labKey: string; on: string; line: string }
  | { op: 'sandbox.trace'; labKey: string; spec: TraceSpec; pending?: PendingPrediction }
  | { op: 'sandbox.reset'; labKey: string }
  | { op: 'lab.complete'; labKey: string; on: string; line: string; cursor: number }
  | { op: 'lab.pcap'; labKey: string; traceId: number; capture: CaptureChoice }
  | { op: 'lab.capturePoints'; labKey: string; traceId: number }
  | { op: 'lab.topology'; labKey: string }
  | { op: 'lab.diagram'; labKey: string }
  | { op: 'lab.inspect'; labKey: string; objectId: string }
  | { op: 'lab.close'; labKey: string }
  | { op: 'terminal.open'; labKey: string; terminalId: string; on: string }
  | { op: 'terminal.input'; labKey: string; terminalId: string; line: string }
  | { op: 'terminal.interrupt'; labKey: string; terminalId: string; signal: 'INT' | 'TSTP' }
  | { op: 'terminal.close'; labKey: string; terminalId: string }

/** The value each request answers with. */
export interface LabReplies {
  'lesson.open': LessonOutcome
  'sandbox.open': null
  'lesson.view': LessonOutcome
  /** A reached step's view, changing nothing; null for a step not reached. */
  'lesson.step': { step: StepView; body: Localized } | null
  'lesson.send': LessonOutcome
  'lesson.exec': LessonOutcome & { result: ExecResult }
  'lesson.trace': LessonOutcome & { trace: Trace; traceId: number; story: TraceStory }
  'lesson.reset': LessonOutcome & { keep: number }
  'sandbox.exec': { result: ExecResult; journaled: PositionedEntry[] }
  'sandbox.trace': { trace: Trace; traceId: number; journaled: PositionedEntry[]; story: TraceStory }
  'sandbox.reset': null
  'lab.complete': Completion
  'lab.pcap': DownloadFile
  'lab.capturePoints': CapturePoint[]
  'lab.topology': Topology
  'lab.diagram': DiagramModel
  'lab.inspect': InspectSection[] | null
  'lab.close': null
  /** False when no node, pod, container or external host has the name. */
  'terminal.open': boolean
  /** A lesson's lab answers with its outcome too: a command that ended may have passed a task. */
  'terminal.input': { result: TerminalInputResult } & (LessonOutcome | { journaled: PositionedEntry[] })
  'terminal.interrupt': LessonOutcome | null
  'terminal.close': null
}

/**
 * What a live terminal prints between requests (a capture's lines as other terminals make
 * traffic, the end of a line that waited), and `closed` when its lab went away (reset, closed,
 * rebuilt on another worker): its processes are gone with it.
 */
export type TerminalEvent =
  | { kind: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'ended'; exitCode: number }
  | { kind: 'closed' }

export type LabOp = LabRequest['op']

/** What the packet view shows beside a trace: its device-level story and each hop's place. */
export interface TraceStory {
  summary: TraceSummary
  /** One per kernel hop, in hop order. */
  placements: Placement[]
}

/** Host → worker. */
export interface RequestMessage {
  id: number
  request: LabRequest
}

/** Worker → host. */
export type WorkerMessage =
  /** The worker took the request off its queue: its CPU budget starts now. */
  | { type: 'started'; id: number }
  /** A journaled command or trace is about to run (replayed or new). */
  | { type: 'running'; id: number; labKey: string; entry: PositionedEntry }
  | { type: 'done'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: ApiErrorBody }
  /** The lab is not open in this worker (evicted, or the worker was replaced): open it and retry. */
  | { type: 'missing'; id: number }
  /** A live terminal's output, sent as it happens rather than as an answer. */
  | { type: 'terminal'; terminalId: string; event: TerminalEvent }
