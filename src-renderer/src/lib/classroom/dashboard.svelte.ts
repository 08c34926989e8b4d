import type { ClassEvent, Dashboard, LearnerState } from '../../../../src-main/api/classroom-contract.ts'
import { errorText, onStreamConnection, subscribe, type ApiCallError } from '../api.ts'
import { applyClassEvent } from './dashboard-events.ts'

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'stopped'

/** Event types this dashboard knows how to apply; a newer host's other events are skipped. */
const classEventTypes = new Set<string>([
  'snapshot',
  'learner-joined',
  'learner-left',
  'step-changed',
  'attempt',
  'hint-used',
  'task-failed',
  'question-stats',
  'learner-state',
  'lessons-changed',
  'class-closed'
] satisfies ClassEvent['type'][])

/**
 * The instructor's live view of one class: the `class:events` stream's snapshot, then every
 * pushed event folded in as it arrives. The stream shares the page's one connection; when that
 * is lost, the feed shows `reconnecting` and the renewed subscription starts with a fresh
 * snapshot, so nothing is missed while it was down.
 */
export class LiveDashboard {
  readonly classId: string
  readonly anonymous: boolean
  #dashboard = $state.raw<Dashboard | null>(null)
  #feed = $state<FeedState>('connecting')
  #error = $state.raw<ApiCallError | null>(null)
  /** This machine's clock minus the host's, from the last snapshot: time on step ticks locally. */
  #skewMs = 0
  #stop: (() => void) | null = null

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
  /** Why the host refused or ended the feed (not a lost connection, which `feed` shows). */
  get error(): string | null {
    return this.#error && errorText(this.#error)
  }

  /** The learner's time on their step at `now` (a local timestamp): it runs on only while the host says it does. */
  timeOnStep(learner: LearnerState, now: number): number {
    if (!learner.timingSince) return learner.timeOnStepMs
    return learner.timeOnStepMs + Math.max(0, now - this.#skewMs - Date.parse(learner.timingSince))
  }

  /** Starts the feed. Called from an effect, so nothing here reads reactive state. */
  start(): void {
    this.stop()
    this.#feed = 'connecting'
    this.#error = null
    let over = false
    const unsubscribe = subscribe(
      'class:events',
      { classId: this.classId, anonymous: this.anonymous },
      (event) => {
        if (!classEventTypes.has(event.type)) return
        this.#apply(event)
        this.#feed = 'live'
        this.#error = null
      },
      (error) => {
        over = true
        this.#error = error
        this.#feed = 'stopped'
      },
      () => {
        over = true
        this.#feed = 'stopped'
      }
    )
    const offConnection = onStreamConnection((state) => {
      if (state === 'reconnecting' && !over) this.#feed = 'reconnecting'
    })
    this.#stop = () => {
      offConnection()
      unsubscribe()
    }
  }

  stop(): void {
    this.#stop?.()
    this.#stop = null
    this.#feed = 'stopped'
  }

  /** Takes a dashboard the instructor just changed (lesson gates) without waiting for the feed. */
  absorb(event: ClassEvent): void {
    this.#apply(event)
  }

  #apply(event: ClassEvent): void {
    if (event.type === 'snapshot') this.#skewMs = Date.now() - Date.parse(event.dashboard.at)
    this.#dashboard = applyClassEvent(this.#dashboard, event)
  }
}
