import { HEARTBEAT_MS } from '../../../../src-main/api/presence.ts'
import type { ClassroomOutput, LessonGate } from '../../../../src-main/api/classroom-contract.ts'
import { ApiCallError, classroomApi, openedWithHostToken, setApiToken, unauthorizedEvent } from '../api.ts'
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

/** Why the learner is looking at the join page instead of their lessons. */
export type JoinNotice = 'closed' | 'left' | null

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
    // Any call refused with 401 while in a class means the instructor closed (or deleted) it.
    window.addEventListener(unauthorizedEvent, () => {
      if (this.#joined) this.#forget('closed')
    })
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
        this.#forget('closed')
        return false
      }
      throw error
    }
  }

  /** Joins with the code from the projector; errors (wrong code, closed class, too many tries) are thrown for the form. */
  async join(code: string, name: string): Promise<void> {
    const joined = await classroomApi['class:join']({ code, name })
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
      if (error instanceof ApiCallError && error.code === 'unauthorized') this.#forget('closed')
      else throw error
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
