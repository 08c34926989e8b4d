import { parentPort } from 'node:worker_threads'
import { ApiError, errorBodyOf } from '../api/envelope.ts'
import { inspect } from '../api/inspect.ts'
import { capturePoints, completeOn, pcapDownload } from '../api/lab-tools.ts'
import { topologyOf } from '../api/topology.ts'
import { diagramOf } from '../core/diagram/model.ts'
import { placeTrace } from '../core/diagram/place.ts'
import { summariseTrace } from '../core/diagram/summary.ts'
import type { Trace } from '../core/engine/trace.ts'
import type { Lab } from '../core/kube/lab.ts'
import { LessonRuntime } from './lesson-runtime.ts'
import type {
  LabReplies,
  LabRequest,
  PositionedEntry,
  RequestMessage,
  WorkerMessage,
  TraceStory
} from './protocol.ts'
import { SandboxRuntime } from './sandbox-runtime.ts'
import { LiveTerminals } from './live-terminals.ts'

/**
 * A lab worker: runs the labs the pool placed here, one request at a time. Everything it holds
 * can be rebuilt by the host, so the host may terminate it at any moment (a command over its CPU
 * budget, or memory over the worker's limit).
 */

class Missing extends Error {}

const labs = new Map<string, LessonRuntime | SandboxRuntime>()
const port = parentPort!
const post = (message: WorkerMessage): void => port.postMessage(message)
const terminals = new LiveTerminals(
  (terminalId, event) => post({ type: 'terminal', terminalId, event }),
  (labKey, command) => {
    const found = labs.get(labKey)
    if (found instanceof LessonRuntime) found.commandRan(command)
  }
)

function lab(labKey: string): LessonRuntime | SandboxRuntime {
  const found = labs.get(labKey)
  if (!found) throw new Missing()
  return found
}

function lesson(labKey: string): LessonRuntime {
  const found = lab(labKey)
  if (!(found instanceof LessonRuntime)) throw new Error(`${labKey} is not a lesson lab`)
  return found
}

function sandbox(labKey: string): SandboxRuntime {
  const found = lab(labKey)
  if (!(found instanceof SandboxRuntime)) throw new Error(`${labKey} is not a sandbox`)
  return found
}

/** The request being handled: labs keep one `onRunning` for their lifetime, requests change. */
let current: RequestMessage | undefined
const onRunning = (entry: PositionedEntry): void => {
  if (current) post({ type: 'running', id: current.id, labKey: current.request.labKey, entry })
}

/** The device-level story of a trace and where each of its hops lies on the lab's diagram. */
function storyOf(labNow: Lab, trace: Trace): TraceStory {
  const model = diagramOf(labNow)
  return { summary: summariseTrace(trace, model), placements: placeTrace(model, trace) }
}

function handle(request: LabRequest): LabReplies[LabRequest['op']] {
  switch (request.op) {
    case 'lesson.open': {
      const existing = labs.get(request.labKey)
      if (existing instanceof LessonRuntime) existing.stop()
      terminals.closeLab(request.labKey)
      const runtime = new LessonRuntime(request, onRunning)
      labs.set(request.labKey, runtime)
      return runtime.opened()
    }
    case 'sandbox.open':
      terminals.closeLab(request.labKey)
      labs.set(request.labKey, new SandboxRuntime(request, onRunning))
      return null
    case 'lesson.view':
      return lesson(request.labKey).current()
    case 'lesson.step':
      return lesson(request.labKey).reachedStep(request.stepId) ?? null
    case 'lesson.send':
      return lesson(request.labKey).send(request.event)
    case 'lesson.exec':
      return lesson(request.labKey).exec(request.on, request.line)
    case 'lesson.trace': {
      const runtime = lesson(request.labKey)
      const traced = runtime.trace(request.spec)
      return { ...traced, story: storyOf(runtime.shell.lab, traced.trace) }
    }
    case 'lesson.reset':
      terminals.closeLab(request.labKey)
      return lesson(request.labKey).reset(request.scope, request.journal)
    case 'sandbox.exec':
      return sandbox(request.labKey).exec(request.on, request.line)
    case 'sandbox.trace': {
      const runtime = sandbox(request.labKey)
      const traced = runtime.trace(request.spec, request.pending)
      return { ...traced, story: storyOf(runtime.shell.lab, traced.trace) }
    }
    case 'sandbox.reset':
      sandbox(request.labKey).reset()
      terminals.closeLab(request.labKey)
      return null
    case 'lab.complete':
      return completeOn(lab(request.labKey).shell, request.on, request.line, request.cursor)
    case 'lab.pcap': {
      const found = lab(request.labKey)
      return pcapDownload(
        found.shell.lab,
        found.traces.get(request.traceId),
        request.traceId,
        request.capture
      )
    }
    case 'lab.capturePoints':
      return capturePoints(lab(request.labKey).traces.get(request.traceId))
    case 'lab.topology':
      return topologyOf(lab(request.labKey).shell.lab)
    case 'lab.diagram':
      return diagramOf(lab(request.labKey).shell.lab)
    case 'lab.inspect': {
      const { shell } = lab(request.labKey)
      return inspect(shell, topologyOf(shell.lab), request.objectId)
    }
    case 'lab.close': {
      const found = labs.get(request.labKey)
      if (found instanceof LessonRuntime) found.stop()
      labs.delete(request.labKey)
      terminals.closeLab(request.labKey)
      return null
    }
    case 'terminal.open':
      return terminals.open(request.labKey, lab(request.labKey).shell, request.terminalId, request.on)
    case 'terminal.input': {
      const runtime = lab(request.labKey)
      const { labKey, terminalId, line } = request
      if (runtime instanceof LessonRuntime) {
        const result = terminals.input(labKey, terminalId, line, (session, text) =>
          runtime.runInTerminal(terminalId, session, text)
        )
        return { ...runtime.current(), result }
      }
      const journaled: PositionedEntry[] = []
      const result = terminals.input(labKey, terminalId, line, (session, text) => {
        const ran = runtime.runInTerminal(terminalId, session, text)
        journaled.push(ran.journaled)
        return ran.result
      })
      return { result, journaled }
    }
    case 'terminal.interrupt': {
      const runtime = lab(request.labKey)
      terminals.interrupt(request.labKey, request.terminalId, request.signal)
      return runtime instanceof LessonRuntime ? runtime.current() : null
    }
    case 'terminal.close':
      terminals.close(request.terminalId)
      return null
  }
}

port.on('message', (message: RequestMessage) => {
  const { id, request } = message
  current = message
  post({ type: 'started', id })
  try {
    const value = handle(request)
    // What the lab's live terminals printed because of this request goes out before its answer.
    terminals.settle(request.labKey)
    const runtime = labs.get(request.labKey)
    const isOutcome = typeof value === 'object' && value !== null && 'persists' in value
    post({
      type: 'done',
      id,
      value: runtime instanceof LessonRuntime && isOutcome ? runtime.amend(value) : value
    })
  } catch (error) {
    if (error instanceof Missing) post({ type: 'missing', id })
    else if (error instanceof ApiError) post({ type: 'failed', id, error: errorBodyOf(error) })
    else {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      post({ type: 'failed', id, error: { code: 'internal', message } })
    }
  }
})
