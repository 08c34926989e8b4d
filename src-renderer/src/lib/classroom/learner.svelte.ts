import { HEARTBEAT_MS } from '../../../../src-main/api/presence.ts'
import type { ClassroomOutput, LessonGate } from '../../../../src-main/api/classroom-contract.ts'
import {
  ApiCallError,
  classroomApi,
  openedWithHostToken,
  setApiToken,
  unauthorizedEvent,
  type Unauthorized
} from '../api.ts'
import { href } from '../router.svelte.ts'

type Joined = ClassroomOutput<'class:join'>

/** Survives a refresh and a restart of the instructor's host: the learner comes back where they were. */
const storageKey = 'podnet.classroom'

interface Stored {
  token: string
  learnerId: string
  classId: string
  seatCode: string
}

/** Where the seat code waits after "Leave the class", so the join form offers it again. */
const seatKey = 'podnet.classroom.seat'

function readStored(): Stored | null {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as Partial<Stored> | null
    return value && typeof value.token === 'string' && typeof value.learnerId === 'string'
      ? {
          token: value.token,
          learnerId: value.learnerId,
          classId: String(value.classId ?? ''),
          seatCode: String(value.seatCode ?? '')
        }
      : null
  } catch {
    return null
  }
}

function closedEarlier(): boolean {
  try {
    return (
      (JSON.parse(localStorage.getItem(storageKey) ?? 'null') as { closed?: unknown } | null)?.closed === true
    )
  } catch {
    return false
  }
}

/** Why the learner is looking at the join page instead of their lessons; `moved`: the seat went to another browser or was reset. */
export type JoinNotice = 'closed' | 'left' | 'moved' | null

/**
 * A learner in someone's class: who they are there (the token the join answered with) and which
 * lessons the instructor has opened. While joined, the app shows this learner's lessons only and
 * every call carries the learner token.
 */
class ClassroomLearner {
  #joined = $state.raw<Joined | null>(null)
  #notice = $state<JoinNotice>(null)
  #heartbeat: ReturnType<typeof setInterval> | null = null

  constructor() {
    window.addEventListener(unauthorizedEvent, (event) => {
      const { sentWith, reason } = (event as CustomEvent<Unauthorized>).detail
      // A call sent with an earlier token (before a reclaim in this tab) says nothing about this one.
      if (this.#joined && sentWith === this.#joined.learnerToken) void this.#signedOut(reason)
    })
  }

  /** The host refused this page's learner token: say why, or carry on with the seat another tab took. */
  async #signedOut(reason: Unauthorized['reason']): Promise<void> {
    const stored = readStored()
    if (stored && stored.token !== this.#joined?.learnerToken) {
      // Another tab of this browser took the seat back: its token is this page's too.
      setApiToken(stored.token)
      try {
        this.#accept(await classroomApi['class:rejoin']({}), stored.token)
        return
      } catch {
        // That token failed as well: fall through to say why this page is out.
      }
    }
    if (reason === 'learner_seat_moved') this.#forget('moved')
    else if (reason === 'learner_class_closed') this.#forget('closed')
    // A stream socket's refusal carries no reason: one call asks, and its refusal lands here again.
    else classroomApi['class:heartbeat']({}).catch(() => undefined)
  }

  get joined(): Joined | null {
    return this.#joined
  }
  get notice(): JoinNotice {
    return this.#notice
  }

  /**
   * Rejoins with a stored token. True when this window is a learner's; false when there is no
   * class to go back to (never joined, opened by the instructor, or the class was closed, which
   * `notice` then says). A host that cannot be reached throws: the learner should retry, not lose
   * their place.
   */
  async resume(): Promise<boolean> {
    if (openedWithHostToken) return false
    if (closedEarlier()) {
      // Signed out because the class closed, then reloaded: still say why, once.
      localStorage.removeItem(storageKey)
      this.#notice = 'closed'
      window.location.hash = href({ name: 'join', code: '' })
      return false
    }
    const stored = readStored()
    if (!stored) return false
    setApiToken(stored.token)
    try {
      this.#accept(await classroomApi['class:rejoin']({}), stored.token)
      return true
    } catch (error) {
      if (error instanceof ApiCallError && (error.code === 'unauthorized' || error.code === 'forbidden')) {
        this.#forget(error.reason?.id === 'learner_seat_moved' ? 'moved' : 'closed')
        return false
      }
      throw error
    }
  }

  /** Joins with the code from the projector; errors (wrong code, closed class, too many tries) are thrown for the form. */
  async join(code: string, name: string, studentId: string): Promise<void> {
    const joined = await classroomApi['class:join']({ code, name, ...(studentId ? { studentId } : {}) })
    this.#accept(joined, joined.learnerToken)
  }

  /** Back into an earlier seat, from this browser or any other: the same name and record. */
  async reclaim(code: string, seatCode: string): Promise<void> {
    const joined = await classroomApi['class:reclaim']({ code, seatCode })
    this.#accept(joined, joined.learnerToken)
  }

  /** The seat code this browser last held, to fill the join form after leaving. */
  get lastSeatCode(): string {
    return localStorage.getItem(seatKey) ?? ''
  }

  /** The instructor may have unlocked lessons since: ask again (the same answer as joining). */
  async refresh(): Promise<void> {
    if (!this.#joined) return
    try {
      this.#accept(await classroomApi['class:rejoin']({}), this.#joined.learnerToken)
    } catch (error) {
      // A refused token was already handled where every 401 lands (the constructor's listener).
      if (!(error instanceof ApiCallError && error.code === 'unauthorized')) throw error
    }
  }

  async leave(): Promise<void> {
    try {
      await classroomApi['class:leave']({})
    } finally {
      this.#forget('left')
    }
  }

  /** A lesson without a gate was added to the course since: it takes the class's state for new lessons. */
  gate(lessonId: string): LessonGate['state'] {
    const joined = this.#joined
    if (!joined) return 'locked'
    return joined.lessons.find((g) => g.lessonId === lessonId)?.state ?? joined.newLessons
  }

  #accept(joined: Joined, token: string): void {
    setApiToken(token)
    localStorage.setItem(
      storageKey,
      JSON.stringify({
        token,
        learnerId: joined.learnerId,
        classId: joined.classId,
        seatCode: joined.seatCode
      } satisfies Stored)
    )
    localStorage.setItem(seatKey, joined.seatCode)
    this.#joined = { ...joined, learnerToken: token }
    this.#notice = null
    this.#beat()
  }

  /** While this page is open, in a lesson or not, the dashboard shows the learner online. */
  #beat(): void {
    if (this.#heartbeat !== null) return
    this.#heartbeat = setInterval(() => {
      // A missed beat is only a late one; the next call or beat marks the learner online again.
      classroomApi['class:heartbeat']({}).catch(() => undefined)
    }, HEARTBEAT_MS)
  }

  #forget(notice: JoinNotice): void {
    if (notice === 'closed') {
      localStorage.setItem(storageKey, JSON.stringify({ closed: true }))
      // A seat of a closed class opens nothing: the next class gets a name, not a stale code.
      localStorage.removeItem(seatKey)
    } else localStorage.removeItem(storageKey)
    setApiToken(null)
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat)
    this.#heartbeat = null
    this.#joined = null
    this.#notice = notice
    window.location.hash = href({ name: 'join', code: '' })
  }
}

export const learner = new ClassroomLearner()
