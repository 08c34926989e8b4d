import { createActor, type Actor } from 'xstate'
import { sendProbe } from '../core/engine/probe.ts'
import type { ProbeSpec, Trace } from '../core/engine/trace.ts'
import type { LoadedLesson } from '../core/lesson/course-loader.ts'
import { labFacts, openLessonLab, probeSpecOf, traceFactsOf } from '../core/lesson/lab-adapter.ts'
import type { TraceSpec } from '../core/lesson/lesson.schema.ts'
import {
  COMPLETED,
  createLessonMachine,
  questionsOf,
  scoreOf,
  type LessonContext,
  type LessonEvent,
  type LessonMachine
} from '../core/lesson/lesson.machine.ts'
import { progressRecords } from '../core/lesson/progress-records.ts'
import type { Answer } from '../core/lesson/quiz.ts'
import { resumeSnapshot } from '../core/lesson/resume.ts'
import { viewLesson, type LessonView } from '../core/lesson/snapshot-view.ts'
import type { LabShell } from '../core/shell/lab-shell.ts'
import type { ProgressStore } from '../store/index.ts'
import type { Completion } from '../core/shell/complete.ts'
import { ApiError } from './envelope.ts'
import { inspect, type InspectSection } from './inspect.ts'
import { completeOn, pcapDownload, TraceMemory, type DownloadFile } from './lab-tools.ts'
import { topologyOf, type Topology } from './topology.ts'

/**
 * What changed the lab, in order. The lab is rebuilt from the scenario and this journal when a
 * lesson is reopened — the simulator is deterministic, so replaying gives back exactly the cluster
 * the learner left (links they took down, pods they deleted, conntrack entries, counters).
 */
export type LabJournalEntry = { kind: 'exec'; on: string; line: string } | { kind: 'trace'; spec: ProbeSpec }

/** What the store keeps as the session's snapshot: the machine's persisted snapshot plus the journal. */
interface StoredSession {
  machine: unknown
  journal: LabJournalEntry[]
  /** Journal length when the current step began: "reset this step" replays only that much. */
  stepJournalStart?: number
}

export interface ExecResult {
  stdout: string
  stderr: string
  exitCode: number
}

interface Hosted {
  learnerId: string
  loaded: LoadedLesson
  actor: Actor<LessonMachine>
  shell: LabShell
  journal: LabJournalEntry[]
  stepJournalStart: number
  traces: TraceMemory
  lastActiveAt: number
  wasCompleted: boolean
}

/** Idle gaps longer than this are not counted as time spent on the lesson. */
const maxActiveGapMs = 5 * 60_000

function isStoredSession(value: unknown): value is StoredSession {
  return (
    typeof value === 'object' &&
    value !== null &&
    'machine' in value &&
    Array.isArray((value as StoredSession).journal)
  )
}

/**
 * Hosts one lesson actor per (learner, lesson) in the main process (or web host): the renderer
 * sends `user.*` events, the host runs commands and traces in the lesson's lab, feeds the
 * results back as `sim.*` events, and persists the snapshot after every transition.
 */
export class LessonHost {
  readonly #hosted = new Map<string, Hosted>()
  readonly #store: ProgressStore
  readonly #now: () => number

  constructor(store: ProgressStore, now: () => number) {
    this.#store = store
    this.#now = now
  }

  /** Opens (or returns the already open) lesson, resuming where the learner left off. */
  open(learnerId: string, loaded: LoadedLesson): LessonView {
    const key = `${learnerId}\u0000${loaded.lesson.id}`
    const existing = this.#hosted.get(key)
    if (existing && existing.loaded.contentHash === loaded.contentHash) return this.#view(existing)

    const machine = createLessonMachine(loaded.lesson)
    const saved = this.#store.sessions.load(learnerId, loaded.lesson.id, loaded.contentHash)
    const stored = saved && isStoredSession(saved.snapshot) ? saved.snapshot : null
    const snapshot = stored
      ? resumeSnapshot(machine, loaded.lesson, loaded.contentHash, stored.machine)
      : undefined
    const actor = createActor(machine, {
      input: { contentHash: loaded.contentHash },
      ...(snapshot ? { snapshot } : {})
    })
    actor.start()

    const lab = openLessonLab(loaded)
    const journal = stored?.journal ?? []
    for (const entry of journal) {
      if (entry.kind === 'exec') lab.shell.run(entry.on, entry.line)
      else sendProbe(lab.shell.lab, entry.spec)
    }
    const hosted: Hosted = {
      learnerId,
      loaded,
      actor,
      shell: lab.shell,
      journal: [...journal],
      stepJournalStart: Math.min(stored?.stepJournalStart ?? journal.length, journal.length),
      traces: new TraceMemory(),
      lastActiveAt: this.#now(),
      wasCompleted: saved?.status === 'completed'
    }
    this.#hosted.set(key, hosted)
    this.#transition(hosted, { type: 'sim.worldChanged', facts: labFacts(lab.shell.lab) })
    return this.#view(hosted)
  }

  /** A learner event: next, back, answer, hint, prediction, a command clicked in the prose. */
  send(learnerId: string, lessonId: string, event: LessonEvent): LessonView {
    const hosted = this.#require(learnerId, lessonId)
    this.#transition(hosted, event)
    return this.#view(hosted)
  }

  /** A command typed in the terminal while the lesson is open. */
  exec(learnerId: string, lessonId: string, on: string, line: string): ExecResult & { view: LessonView } {
    const hosted = this.#require(learnerId, lessonId)
    const result = this.#exec(hosted, on, line)
    return { ...result, view: this.#view(hosted) }
  }

  /** A packet the learner sends from the stepper; `traceId` names it for `trace:pcap`. */
  trace(
    learnerId: string,
    lessonId: string,
    spec: TraceSpec
  ): { trace: Trace; traceId: number; view: LessonView } {
    const hosted = this.#require(learnerId, lessonId)
    const trace = this.#trace(hosted, spec)
    return { trace, traceId: hosted.traces.keep(trace), view: this.#view(hosted) }
  }

  /**
   * Undoes lab changes without touching answers or progress: `lab` rebuilds the scenario and
   * clears the journal, `step` replays the journal only up to where the current step began.
   */
  reset(learnerId: string, lessonId: string, scope: 'lab' | 'step'): LessonView {
    const hosted = this.#require(learnerId, lessonId)
    const keep = scope === 'lab' ? 0 : hosted.stepJournalStart
    const lab = openLessonLab(hosted.loaded)
    const journal = hosted.journal.slice(0, keep)
    for (const entry of journal) {
      if (entry.kind === 'exec') lab.shell.run(entry.on, entry.line)
      else sendProbe(lab.shell.lab, entry.spec)
    }
    hosted.shell = lab.shell
    hosted.journal = journal
    hosted.stepJournalStart = Math.min(hosted.stepJournalStart, journal.length)
    hosted.traces.clear()
    this.#transition(hosted, { type: 'sim.worldChanged', facts: labFacts(lab.shell.lab) })
    return this.#view(hosted)
  }

  /** Tab completion on one of the lesson lab's targets. */
  complete(learnerId: string, lessonId: string, on: string, line: string, cursor: number): Completion {
    return completeOn(this.#require(learnerId, lessonId).shell, on, line, cursor)
  }

  /** A trace this lesson's lab produced, as a capture file. */
  pcap(learnerId: string, lessonId: string, traceId: number): DownloadFile {
    const hosted = this.#require(learnerId, lessonId)
    return pcapDownload(hosted.shell.lab, hosted.traces.get(traceId))
  }

  /** Drops a learner's open lessons, after their progress was reset in the store. */
  forget(learnerId: string): void {
    for (const [key, hosted] of this.#hosted) {
      if (hosted.learnerId !== learnerId) continue
      hosted.actor.stop()
      this.#hosted.delete(key)
    }
  }

  /** Grades an answer to a question of the current step and returns the grading with the new view. */
  answer(learnerId: string, lessonId: string, questionId: string, answer: Answer): LessonView {
    return this.send(learnerId, lessonId, { type: 'user.answer', questionId, answer })
  }

  /** The lesson's cluster as the topology view draws it. */
  topology(learnerId: string, lessonId: string): Topology {
    return topologyOf(this.#require(learnerId, lessonId).shell.lab)
  }

  /**
   * Live state of one object for the inspector. Runs read-only commands the host chooses, outside
   * the journal and the lesson machine: looking must never solve a task.
   */
  inspect(learnerId: string, lessonId: string, objectId: string): InspectSection[] {
    const hosted = this.#require(learnerId, lessonId)
    const sections = inspect(hosted.shell, topologyOf(hosted.shell.lab), objectId)
    if (!sections) throw new ApiError('not_found', `no object "${objectId}" in this lesson's cluster`)
    return sections
  }

  /** Forgets every actor (the store already has their snapshots). */
  closeAll(): void {
    for (const hosted of this.#hosted.values()) hosted.actor.stop()
    this.#hosted.clear()
  }

  #require(learnerId: string, lessonId: string): Hosted {
    const hosted = this.#hosted.get(`${learnerId}\u0000${lessonId}`)
    if (!hosted)
      throw new ApiError('not_found', `lesson "${lessonId}" is not open for this learner; open it first`)
    return hosted
  }

  #exec(hosted: Hosted, on: string, line: string): ExecResult {
    const result = hosted.shell.run(on, line)
    if (!result) {
      return {
        stdout: '',
        stderr: `podnet: no node, pod, pod/container or external host named "${on}"\n`,
        exitCode: 127
      }
    }
    hosted.journal.push({ kind: 'exec', on, line })
    this.#transition(hosted, {
      type: 'sim.commandRan',
      command: { on, command: line, output: result.stdout + result.stderr, exitCode: result.exitCode },
      facts: labFacts(hosted.shell.lab)
    })
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode }
  }

  #trace(hosted: Hosted, spec: TraceSpec): Trace {
    const lab = hosted.shell.lab
    const probe = probeSpecOf(lab, spec)
    const trace = sendProbe(lab, probe)
    hosted.journal.push({ kind: 'trace', spec: probe })
    this.#transition(hosted, {
      type: 'sim.traceFinished',
      trace: traceFactsOf(lab, spec, trace),
      facts: labFacts(lab)
    })
    return trace
  }

  /**
   * Sends one event, then does what the new state asks of the host — run a clicked command, run
   * the trace a prediction or trace step is waiting for — and persists after every transition.
   */
  #transition(hosted: Hosted, event: LessonEvent): void {
    const before = hosted.actor.getSnapshot().context
    const stepBefore = String(hosted.actor.getSnapshot().value)
    hosted.actor.send(event)
    if (String(hosted.actor.getSnapshot().value) !== stepBefore)
      hosted.stepJournalStart = hosted.journal.length
    this.#persist(hosted, before, event)

    // Never chain a run off the result of a run: a step that stays unsatisfied must not loop.
    if (event.type === 'sim.commandRan' || event.type === 'sim.traceFinished') return
    const view = this.#view(hosted)
    if (view.pendingCommand) {
      this.#exec(hosted, view.pendingCommand.on, view.pendingCommand.command)
      return
    }
    const step = view.step
    if (step?.kind === 'predict' && step.awaitingTrace) this.#trace(hosted, step.trace)
    else if (step?.kind === 'trace' && step.hops === undefined) this.#trace(hosted, step.trace)
  }

  #persist(hosted: Hosted, before: LessonContext, event: LessonEvent): void {
    const snapshot = hosted.actor.getSnapshot()
    const after = snapshot.context
    const lesson = hosted.loaded.lesson
    const lessonId = lesson.id
    const learnerId = hosted.learnerId
    const stepOfQuestion = (questionId: string): string =>
      lesson.steps.find((step) => questionsOf(step).some((q) => q.id === questionId))?.id ?? ''
    const records = progressRecords(before, after, stepOfQuestion)
    const now = this.#now()
    const activeMsDelta = Math.min(Math.max(0, now - hosted.lastActiveAt), maxActiveGapMs)
    hosted.lastActiveAt = now
    const current = String(snapshot.value)
    const stored: StoredSession = {
      machine: hosted.actor.getPersistedSnapshot(),
      journal: hosted.journal,
      stepJournalStart: hosted.stepJournalStart
    }

    this.#store.transaction(() => {
      this.#store.sessions.saveSnapshot({
        learnerId,
        lessonId,
        snapshot: stored,
        contentHash: hosted.loaded.contentHash,
        stepId: current === COMPLETED ? (lesson.steps.at(-1)?.id ?? COMPLETED) : current,
        activeMsDelta
      })
      for (const record of records) {
        switch (record.kind) {
          case 'step-completed':
            this.#store.events.append({ learnerId, lessonId, stepId: record.stepId, kind: 'step-completed' })
            break
          case 'quiz-attempt':
            this.#store.attempts.record({
              learnerId,
              lessonId,
              stepId: record.stepId,
              questionId: record.grading.questionId,
              kind: 'quiz',
              answer: event.type === 'user.answer' ? event.answer : null,
              correct: record.grading.correct,
              score: record.grading.maxScore === 0 ? 0 : record.grading.score / record.grading.maxScore,
              hintsUsed: 0,
              durationMs: activeMsDelta
            })
            break
          case 'hint-used':
            this.#store.hints.record({
              learnerId,
              lessonId,
              stepId: record.stepId,
              kind: record.level,
              level: record.level === 'static' ? record.count : 0
            })
            break
          case 'prediction-revealed':
            this.#store.attempts.record({
              learnerId,
              lessonId,
              stepId: record.stepId,
              questionId: record.stepId,
              kind: 'prediction',
              answer: after.predictions[record.stepId]?.value ?? null,
              correct: record.correct,
              score: record.correct ? 1 : 0,
              hintsUsed: 0,
              durationMs: activeMsDelta
            })
            break
        }
      }
      if (current === COMPLETED && !hosted.wasCompleted) {
        const { score, maxScore } = scoreOf(lesson, after)
        const fraction = maxScore === 0 ? 1 : score / maxScore
        this.#store.sessions.complete({
          learnerId,
          lessonId,
          score: fraction,
          passed: fraction >= lesson.passScore
        })
        hosted.wasCompleted = true
      }
    })
  }

  #view(hosted: Hosted): LessonView {
    return viewLesson(hosted.loaded.lesson, hosted.actor.getSnapshot())
  }
}
