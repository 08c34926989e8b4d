import type { ClassEvent, Dashboard, LearnerState } from '../../../../src-main/api/classroom-contract.ts'
import { apiToken, classroomApi } from '../api.ts'
import { anonymise, applyClassEvent } from './dashboard-events.ts'
import { EventStreamParser } from './sse.ts'

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'stopped'

const retryMs = 2000
/** Event types this dashboard knows how to apply; a newer host's other events are skipped. */
const classEventTypes = new Set<string>([
  'snapshot',
  'learner-joined',
  'learner-left',
  'step-changed',
  'attempt',
  'hint-used',
  'task-failed',
  'learner-state',
  'lessons-changed',
  'class-closed'
] satisfies ClassEvent['type'][])
/** Inside Electron there is no HTTP stream to read: the dashboard asks the service this often. */
const pollMs = 2000

/**
 * The instructor's live view of one class: a snapshot from the host's event stream, then every
 * pushed event folded in as it arrives. A dropped stream is reopened (the host starts each one
 * with a fresh snapshot, so nothing is missed while it was down).
 */
export class LiveDashboard {
  readonly classId: string
  readonly anonymous: boolean
  #dashboard = $state.raw<Dashboard | null>(null)
  #feed = $state<FeedState>('connecting')
  #error = $state<string | null>(null)
  /** This machine's clock minus the host's, from the last snapshot: time on step ticks locally. */
  #skewMs = 0
  #abort: AbortController | null = null
  #timer: ReturnType<typeof setTimeout> | null = null

  constructor(classId: string, anonymous = false) {
    this.classId = classId
    this.anonymous = anonymous
  }

  get dashboard(): Dashboard | null {
    return this.#dashboard
  }
  get feed(): FeedState {
    return this.#feed
  }
  get error(): string | null {
    return this.#error
  }

  /** How long the learner has been on their step at `now` (a local timestamp). */
  timeOnStep(learner: LearnerState, now: number): number {
    if (!learner.stepSince) return learner.timeOnStepMs
    return Math.max(0, now - this.#skewMs - Date.parse(learner.stepSince))
  }

  start(): void {
    this.stop()
    this.#abort = new AbortController()
    if (window.podnet) void this.#poll(this.#abort.signal)
    else void this.#stream(this.#abort.signal)
  }

  stop(): void {
    this.#abort?.abort()
    this.#abort = null
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#feed = 'stopped'
  }

  /** Takes a dashboard the instructor just changed (lesson gates) without waiting for the feed. */
  absorb(event: ClassEvent): void {
    this.#apply(event)
  }

  #apply(event: ClassEvent): void {
    if (event.type === 'snapshot') this.#skewMs = Date.now() - Date.parse(event.dashboard.at)
    this.#dashboard = applyClassEvent(this.#dashboard, event, this.anonymous)
  }

  async #poll(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const dashboard = await classroomApi['class:dashboard']({ classId: this.classId })
        this.#apply({ type: 'snapshot', dashboard: this.anonymous ? anonymise(dashboard) : dashboard })
        this.#feed = 'live'
        this.#error = null
      } catch (error) {
        this.#error = error instanceof Error ? error.message : String(error)
        this.#feed = 'reconnecting'
      }
      await new Promise((resolve) => (this.#timer = setTimeout(resolve, pollMs)))
    }
  }

  async #stream(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#readOnce(signal)
      } catch (error) {
        if (signal.aborted) return
        this.#error = error instanceof Error ? error.message : String(error)
      }
      if (signal.aborted || this.#dashboard?.status === 'closed') break
      this.#feed = 'reconnecting'
      await new Promise((resolve) => (this.#timer = setTimeout(resolve, retryMs)))
    }
    if (!signal.aborted) this.#feed = 'stopped'
  }

  async #readOnce(signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    const token = apiToken()
    if (token) headers['authorization'] = `Bearer ${token}`
    const response = await fetch(`/api/class:events?classId=${encodeURIComponent(this.classId)}`, {
      headers,
      signal,
      cache: 'no-store'
    })
    if (!response.ok || !response.body) {
      const text = await response.text()
      let message = `HTTP ${response.status}`
      try {
        const envelope = JSON.parse(text) as { error?: { message?: string } }
        if (envelope.error?.message) message = envelope.error.message
      } catch {
        // Not an envelope (a proxy's error page): the status says enough.
      }
      throw new Error(message)
    }
    const parser = new EventStreamParser()
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      for (const message of parser.push(value)) {
        if (message.type === 'error')
          throw new Error((JSON.parse(message.data) as { message: string }).message)
        if (!classEventTypes.has(message.type)) continue
        const event = JSON.parse(message.data) as ClassEvent
        this.#apply(event)
        this.#feed = 'live'
        this.#error = null
      }
    }
  }
}
