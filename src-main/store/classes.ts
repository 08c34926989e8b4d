import type { StoreContext } from './context.ts'
import { StoreError } from './errors.ts'

/** An instructor-led class; its learners are ordinary profiles linked by `class_learners`. */
export interface ClassRecord {
  id: string
  name: string
  joinCode: string
  status: 'open' | 'closed'
  createdAt: number
  closedAt: number | null
  learners: number
  /** The state a lesson takes when it has no gate of its own yet: one added to the course later. */
  newLessons: GateState
  /** Whether joining asks for a student ID or insists on one. */
  studentId: StudentIdRule
}

type StudentIdRule = 'optional' | 'required'

export interface ClassMember {
  classId: string
  learnerId: string
  displayName: string
  /** With the join code, gets the learner back into this seat from any browser. */
  seatCode: string
  /** The department's ID for the learner, as typed at join; empty when none was given. */
  studentId: string
  joinedAt: number
}

export type GateState = 'enabled' | 'locked'

export interface ClassLessonGate {
  lessonId: string
  state: GateState
}

/** A member found by token, with the state of their class (a closed class revokes the token). */
export interface TokenHolder extends ClassMember {
  classStatus: 'open' | 'closed'
}

/** One attempt of a class member, as the dashboard and the reports read it. */
export interface ClassAttempt {
  id: string
  learnerId: string
  lessonId: string
  stepId: string
  questionId: string
  kind: 'quiz' | 'prediction'
  attemptNo: number
  answerJson: string
  /** The reason option picked with a prediction that asks why; null otherwise. */
  justification: string | null
  correct: boolean
  at: number
}

export interface ClassHint {
  id: string
  learnerId: string
  lessonId: string
  stepId: string
  kind: 'static' | 'dynamic' | 'solution'
  at: number
}

/** The session a member touched last: where they are now. */
export interface MemberPosition {
  learnerId: string
  lessonId: string
  stepId: string
  status: 'in-progress' | 'completed'
  updatedAt: number
}

/** One row of the class report: a member × a lesson they started. */
export interface ClassReportRow {
  learnerId: string
  displayName: string
  lessonId: string
  status: 'in-progress' | 'completed'
  score: number | null
  passed: boolean | null
  timeSpentMs: number
  /** Hints revealed, solutions not counted. */
  hints: number
  solutionsViewed: number
  /** Wrong quiz answers and wrong predictions. */
  failedAttempts: number
  startedAt: number
  completedAt: number | null
}

interface ClassRow {
  id: string
  name: string
  join_code: string
  status: 'open' | 'closed'
  created_at: number
  closed_at: number | null
  learners: number
  new_lessons: GateState
  student_id: StudentIdRule
}

const toClass = (r: ClassRow): ClassRecord => ({
  id: r.id,
  name: r.name,
  joinCode: r.join_code,
  status: r.status,
  createdAt: r.created_at,
  closedAt: r.closed_at,
  learners: r.learners,
  newLessons: r.new_lessons,
  studentId: r.student_id
})

interface MemberRow {
  class_id: string
  learner_id: string
  display_name: string
  seat_code: string
  student_id: string
  joined_at: number
}

const toMember = (r: MemberRow): ClassMember => ({
  classId: r.class_id,
  learnerId: r.learner_id,
  displayName: r.display_name,
  seatCode: r.seat_code,
  studentId: r.student_id,
  joinedAt: r.joined_at
})

const CLASS_SELECT = `SELECT c.*, (SELECT count(*) FROM class_learners m WHERE m.class_id = c.id) AS learners
  FROM classes c`
const MEMBERS = 'SELECT learner_id FROM class_learners WHERE class_id = ?'

/**
 * Classes, their members and lesson gates, plus the class-wide reads the dashboard and the
 * reports need. Members' progress lives in the ordinary tables under their profile ids.
 */
export class ClassesRepository {
  readonly #ctx: StoreContext
  readonly #s

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    const db = ctx.db
    this.#s = {
      insertClass: db.prepare<[string, string, string, number, GateState, StudentIdRule]>(
        "INSERT INTO classes (id, name, join_code, status, created_at, new_lessons, student_id) VALUES (?, ?, ?, 'open', ?, ?, ?)"
      ),
      setNewLessons: db.prepare<[GateState, string]>('UPDATE classes SET new_lessons = ? WHERE id = ?'),
      setStudentId: db.prepare<[StudentIdRule, string]>('UPDATE classes SET student_id = ? WHERE id = ?'),
      lessonState: db.prepare<[string, string], { state: GateState }>(
        `SELECT coalesce(g.state, c.new_lessons) AS state FROM classes c
         LEFT JOIN class_lessons g ON g.class_id = c.id AND g.lesson_id = ?
         WHERE c.id = ?`
      ),
      placeGate: db.prepare<[string, string, number, GateState]>(
        `INSERT INTO class_lessons (class_id, lesson_id, position, state) VALUES (?, ?, ?, ?)
         ON CONFLICT (class_id, lesson_id) DO UPDATE SET position = excluded.position
         WHERE position <> excluded.position`
      ),
      get: db.prepare<[string], ClassRow>(`${CLASS_SELECT} WHERE c.id = ?`),
      openByCode: db.prepare<[string], ClassRow>(
        `${CLASS_SELECT} WHERE c.join_code = ? AND c.status = 'open'`
      ),
      list: db.prepare<[], ClassRow>(`${CLASS_SELECT} ORDER BY c.created_at DESC, c.id DESC`),
      reopen: db.prepare<[string]>(
        "UPDATE classes SET status = 'open', closed_at = NULL WHERE id = ? AND status = 'closed'"
      ),
      byCode: db.prepare<[string], ClassRow>(
        `${CLASS_SELECT} WHERE c.join_code = ? ORDER BY c.status = 'open' DESC, c.created_at DESC LIMIT 1`
      ),
      close: db.prepare<[number, string]>(
        "UPDATE classes SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'"
      ),
      deleteLearners: db.prepare<[string]>(`DELETE FROM learners WHERE id IN (${MEMBERS})`),
      deleteClass: db.prepare<[string]>('DELETE FROM classes WHERE id = ?'),
      insertProfile: db.prepare<[string, string, number, number]>(
        'INSERT INTO learners (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)'
      ),
      profileNameTaken: db.prepare<[string], { id: string }>(
        'SELECT id FROM learners WHERE name = ? COLLATE NOCASE'
      ),
      memberNameTaken: db.prepare<[string, string], { learner_id: string }>(
        'SELECT learner_id FROM class_learners WHERE class_id = ? AND display_name = ? COLLATE NOCASE'
      ),
      insertMember: db.prepare<[string, string, string, string, string, string, number]>(
        'INSERT INTO class_learners (class_id, learner_id, display_name, seat_code, student_id, token_hash, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
      ),
      seatTaken: db.prepare<[string, string], { learner_id: string }>(
        'SELECT learner_id FROM class_learners WHERE class_id = ? AND seat_code = ?'
      ),
      bySeat: db.prepare<[string, string], MemberRow>(
        'SELECT class_id, learner_id, display_name, seat_code, student_id, joined_at FROM class_learners WHERE class_id = ? AND seat_code = ?'
      ),
      byLearner: db.prepare<[string, string], MemberRow>(
        'SELECT class_id, learner_id, display_name, seat_code, student_id, joined_at FROM class_learners WHERE class_id = ? AND learner_id = ?'
      ),
      setToken: db.prepare<[string, string, string]>(
        'UPDATE class_learners SET token_hash = ? WHERE class_id = ? AND learner_id = ?'
      ),
      setSeat: db.prepare<[string, string, string, string]>(
        'UPDATE class_learners SET seat_code = ?, token_hash = ? WHERE class_id = ? AND learner_id = ?'
      ),
      byToken: db.prepare<[string], MemberRow & { class_status: 'open' | 'closed' }>(
        `SELECT m.*, c.status AS class_status FROM class_learners m JOIN classes c ON c.id = m.class_id
         WHERE m.token_hash = ?`
      ),
      classOfLearner: db.prepare<[string], { id: string; name: string }>(
        'SELECT c.id, c.name FROM class_learners m JOIN classes c ON c.id = m.class_id WHERE m.learner_id = ?'
      ),
      members: db.prepare<[string], MemberRow>(
        'SELECT class_id, learner_id, display_name, seat_code, student_id, joined_at FROM class_learners WHERE class_id = ? ORDER BY joined_at, learner_id'
      ),
      gates: db.prepare<[string], { lesson_id: string; state: GateState }>(
        'SELECT lesson_id, state FROM class_lessons WHERE class_id = ? ORDER BY position, lesson_id'
      ),
      maxPosition: db.prepare<[string], { p: number }>(
        'SELECT coalesce(max(position), -1) AS p FROM class_lessons WHERE class_id = ?'
      ),
      upsertGate: db.prepare<[string, string, number, string]>(
        `INSERT INTO class_lessons (class_id, lesson_id, position, state) VALUES (?, ?, ?, ?)
         ON CONFLICT (class_id, lesson_id) DO UPDATE SET state = excluded.state`
      ),
      attempts: db.prepare<[string], AttemptRow>(
        `SELECT id, learner_id, lesson_id, step_id, question_id, kind, attempt_no, answer_json, justification, correct, at
         FROM quiz_attempts WHERE learner_id IN (${MEMBERS}) ORDER BY at, id`
      ),
      questionAttempts: db.prepare<[string, string, string], AttemptRow>(
        `SELECT id, learner_id, lesson_id, step_id, question_id, kind, attempt_no, answer_json, justification, correct, at
         FROM quiz_attempts WHERE learner_id IN (${MEMBERS}) AND lesson_id = ? AND question_id = ? ORDER BY at, id`
      ),
      attemptsSince: db.prepare<[string, string], AttemptRow>(
        `SELECT id, learner_id, lesson_id, step_id, question_id, kind, attempt_no, answer_json, justification, correct, at
         FROM quiz_attempts WHERE learner_id = ? AND id > ? ORDER BY id`
      ),
      hintsSince: db.prepare<[string, string], HintRow>(
        'SELECT id, learner_id, lesson_id, step_id, kind, at FROM hint_uses WHERE learner_id = ? AND id > ? ORDER BY id'
      ),
      hints: db.prepare<[string], HintRow>(
        `SELECT id, learner_id, lesson_id, step_id, kind, at FROM hint_uses WHERE learner_id IN (${MEMBERS}) ORDER BY at, id`
      ),
      positions: db.prepare<[string], PositionRow>(
        `SELECT s.learner_id, s.lesson_id, s.step_id, s.status, s.updated_at FROM lesson_sessions s
         WHERE s.learner_id IN (${MEMBERS})
         ORDER BY s.learner_id, s.updated_at DESC, s.lesson_id`
      ),
      report: db.prepare<[string], ReportRow>(
        `SELECT m.learner_id, m.display_name, s.lesson_id, s.status, s.score, s.passed, s.time_spent_ms,
                s.started_at, s.completed_at,
                (SELECT count(*) FROM hint_uses h WHERE h.learner_id = s.learner_id AND h.lesson_id = s.lesson_id
                   AND h.kind <> 'solution') AS hints,
                (SELECT count(*) FROM hint_uses h WHERE h.learner_id = s.learner_id AND h.lesson_id = s.lesson_id
                   AND h.kind = 'solution') AS solutions,
                (SELECT count(*) FROM quiz_attempts a WHERE a.learner_id = s.learner_id AND a.lesson_id = s.lesson_id
                   AND a.correct = 0) AS failed_attempts
         FROM class_learners m JOIN lesson_sessions s ON s.learner_id = m.learner_id
         WHERE m.class_id = ?
         ORDER BY m.display_name COLLATE NOCASE, m.learner_id, s.lesson_id`
      ),
      lastAttemptId: db.prepare<[string], { id: string | null }>(
        'SELECT max(id) AS id FROM quiz_attempts WHERE learner_id = ?'
      ),
      lastHintId: db.prepare<[string], { id: string | null }>(
        'SELECT max(id) AS id FROM hint_uses WHERE learner_id = ?'
      )
    }
  }

  /** Opens a class with a gate for each of `lessons`, in that order (the course's). */
  create(input: {
    id: string
    name: string
    joinCode: string
    lessons: readonly ClassLessonGate[]
    newLessons: GateState
    studentId: StudentIdRule
  }): ClassRecord {
    return this.#ctx.write('start the class', () => {
      if (this.#s.openByCode.get(input.joinCode)) {
        throw new StoreError('conflict', `An open class already uses the join code ${input.joinCode}.`)
      }
      this.#s.insertClass.run(
        input.id,
        input.name,
        input.joinCode,
        this.#ctx.now(),
        input.newLessons,
        input.studentId
      )
      input.lessons.forEach((g, i) => this.#s.upsertGate.run(input.id, g.lessonId, i, g.state))
      return toClass(this.#s.get.get(input.id)!)
    })
  }

  get(classId: string): ClassRecord | null {
    const row = this.#ctx.read('read the class', () => this.#s.get.get(classId))
    return row ? toClass(row) : null
  }

  openByCode(joinCode: string): ClassRecord | null {
    const row = this.#ctx.read('find the class', () => this.#s.openByCode.get(joinCode))
    return row ? toClass(row) : null
  }

  /** The open class with this join code, else the newest closed one that had it; null for none. */
  byCode(joinCode: string): ClassRecord | null {
    const row = this.#ctx.read('find the class', () => this.#s.byCode.get(joinCode))
    return row ? toClass(row) : null
  }

  /**
   * Opens a closed class again (idempotent): its members' tokens and seat codes work again. A
   * `conflict` when another open class uses its join code meanwhile.
   */
  reopen(classId: string): ClassRecord {
    return this.#ctx.write('reopen the class', () => {
      const row = this.#s.get.get(classId)
      if (!row) throw new StoreError('not-found', `No class with id ${classId}.`)
      const holder = this.#s.openByCode.get(row.join_code)
      if (holder && holder.id !== classId)
        throw new StoreError(
          'conflict',
          `Another open class ("${holder.name}") uses the join code ${row.join_code}; close it first.`
        )
      this.#s.reopen.run(classId)
      return toClass(this.#s.get.get(classId)!)
    })
  }

  /** Newest first. */
  list(): ClassRecord[] {
    return this.#ctx.read('list classes', () => this.#s.list.all().map(toClass))
  }

  /** Closes the class (idempotent); its members' tokens stop working because lookups check the status. */
  close(classId: string): ClassRecord {
    return this.#ctx.write('close the class', () => {
      this.#s.close.run(this.#ctx.now(), classId)
      const row = this.#s.get.get(classId)
      if (!row) throw new StoreError('not-found', `No class with id ${classId}.`)
      return toClass(row)
    })
  }

  /** Deletes the class, its members' profiles and (by cascade) all of their progress. */
  delete(classId: string): { learnersDeleted: number } {
    return this.#ctx.write('delete the class', () => {
      if (!this.#s.get.get(classId)) throw new StoreError('not-found', `No class with id ${classId}.`)
      const learnersDeleted = this.#s.deleteLearners.run(classId).changes
      this.#s.deleteClass.run(classId)
      return { learnersDeleted }
    })
  }

  /**
   * Adds a member with a fresh profile of their own, in one transaction. The profile's name
   * carries the class id so that "Ada" in two classes are two profiles; a name already used in
   * this class is a `conflict` (its holder gets back in with their seat code instead).
   */
  join(input: {
    classId: string
    displayName: string
    studentId: string
    tokenHash: string
    newSeatCode: () => string
  }): ClassMember {
    return this.#ctx.write('join the class', () => {
      if (this.#s.memberNameTaken.get(input.classId, input.displayName)) {
        throw new StoreError(
          'conflict',
          `Someone named "${input.displayName}" has already joined this class.`
        )
      }
      const now = this.#ctx.now()
      const learnerId = this.#ctx.newId()
      const base = `${input.displayName} · ${input.classId.slice(-6)}`
      let profileName = base
      for (let n = 2; this.#s.profileNameTaken.get(profileName); n++) profileName = `${base} (${n})`
      this.#s.insertProfile.run(learnerId, profileName, now, now)
      const seatCode = this.#freeSeatCode(input.classId, input.newSeatCode)
      this.#s.insertMember.run(
        input.classId,
        learnerId,
        input.displayName,
        seatCode,
        input.studentId,
        input.tokenHash,
        now
      )
      return {
        classId: input.classId,
        learnerId,
        displayName: input.displayName,
        seatCode,
        studentId: input.studentId,
        joinedAt: now
      }
    })
  }

  #freeSeatCode(classId: string, draw: () => string): string {
    let code = draw()
    while (this.#s.seatTaken.get(classId, code)) code = draw()
    return code
  }

  /**
   * Moves the seat to a new token (the browser that gave the seat code); the old token stops
   * working. Null when no member of the class has that seat code.
   */
  reclaimSeat(input: { classId: string; seatCode: string; tokenHash: string }): ClassMember | null {
    return this.#ctx.write('take back the seat', () => {
      const row = this.#s.bySeat.get(input.classId, input.seatCode)
      if (!row) return null
      this.#s.setToken.run(input.tokenHash, input.classId, row.learner_id)
      return toMember(row)
    })
  }

  /**
   * Gives the member a new seat code and a token nobody holds: the old code and every browser
   * signed in with the seat are out, the name and the record stay.
   */
  resetSeat(input: {
    classId: string
    learnerId: string
    tokenHash: string
    newSeatCode: () => string
  }): ClassMember {
    return this.#ctx.write('reset the seat', () => {
      if (!this.#s.byLearner.get(input.classId, input.learnerId))
        throw new StoreError('not-found', `No learner ${input.learnerId} in class ${input.classId}.`)
      const seatCode = this.#freeSeatCode(input.classId, input.newSeatCode)
      this.#s.setSeat.run(seatCode, input.tokenHash, input.classId, input.learnerId)
      return toMember(this.#s.byLearner.get(input.classId, input.learnerId)!)
    })
  }

  /** The member holding a token (by its hash), or null. */
  byTokenHash(tokenHash: string): TokenHolder | null {
    const row = this.#ctx.read('check the learner token', () => this.#s.byToken.get(tokenHash))
    return row ? { ...toMember(row), classStatus: row.class_status } : null
  }

  /** The class a profile joined, or null for a profile made on this computer. */
  classOf(learnerId: string): { id: string; name: string } | null {
    return this.#ctx.read('read the class', () => this.#s.classOfLearner.get(learnerId) ?? null)
  }

  members(classId: string): ClassMember[] {
    return this.#ctx.read('list the class', () => this.#s.members.all(classId).map(toMember))
  }

  lessons(classId: string): ClassLessonGate[] {
    return this.#ctx.read('read the lesson gates', () =>
      this.#s.gates.all(classId).map((r) => ({ lessonId: r.lesson_id, state: r.state }))
    )
  }

  /** Whether a lesson is open in the class: its own gate, else the class's state for new lessons. */
  lessonState(classId: string, lessonId: string): GateState | null {
    return this.#ctx.read(
      'read the lesson gate',
      () => this.#s.lessonState.get(lessonId, classId)?.state ?? null
    )
  }

  /**
   * Gives every lesson of the course a gate of its own (lessons without one take the class's
   * state for new lessons) and puts the gates in course order, so a later change of that state
   * never flips a lesson the instructor already saw. Gates of lessons gone from the course stay,
   * after the others, in case their pack comes back.
   */
  syncLessons(classId: string, courseLessonIds: readonly string[]): ClassLessonGate[] {
    return this.#ctx.write('place the lesson gates', () => {
      const cls = this.#s.get.get(classId)
      if (!cls) throw new StoreError('not-found', `No class with id ${classId}.`)
      const gone = this.#s.gates
        .all(classId)
        .map((r) => r.lesson_id)
        .filter((id) => !courseLessonIds.includes(id))
      ;[...courseLessonIds, ...gone].forEach((lessonId, i) =>
        this.#s.placeGate.run(classId, lessonId, i, cls.new_lessons)
      )
      return this.#s.gates.all(classId).map((r) => ({ lessonId: r.lesson_id, state: r.state }))
    })
  }

  setNewLessons(classId: string, state: GateState): ClassRecord {
    return this.#ctx.write('set the state of new lessons', () => {
      this.#s.setNewLessons.run(state, classId)
      const row = this.#s.get.get(classId)
      if (!row) throw new StoreError('not-found', `No class with id ${classId}.`)
      return toClass(row)
    })
  }

  /** Whether joining this class asks for a student ID or insists on one; learners already in keep theirs. */
  setStudentId(classId: string, rule: StudentIdRule): ClassRecord {
    return this.#ctx.write('set the student ID rule', () => {
      this.#s.setStudentId.run(rule, classId)
      const row = this.#s.get.get(classId)
      if (!row) throw new StoreError('not-found', `No class with id ${classId}.`)
      return toClass(row)
    })
  }

  /** Upserts gates; new lessons go after the existing ones in the order given. */
  setLessons(classId: string, gates: readonly ClassLessonGate[]): ClassLessonGate[] {
    return this.#ctx.write('set the lesson gates', () => {
      if (!this.#s.get.get(classId)) throw new StoreError('not-found', `No class with id ${classId}.`)
      let position = this.#s.maxPosition.get(classId)!.p
      for (const gate of gates) this.#s.upsertGate.run(classId, gate.lessonId, ++position, gate.state)
      return this.#s.gates.all(classId).map((r) => ({ lessonId: r.lesson_id, state: r.state }))
    })
  }

  /** Every attempt of every member, oldest first. */
  attempts(classId: string): ClassAttempt[] {
    return this.#ctx.read('read the class answers', () => this.#s.attempts.all(classId).map(toAttempt))
  }

  /** Every member's attempts at one question, oldest first: what its statistics are made of. */
  questionAttempts(classId: string, lessonId: string, questionId: string): ClassAttempt[] {
    return this.#ctx.read('read the class answers', () =>
      this.#s.questionAttempts.all(classId, lessonId, questionId).map(toAttempt)
    )
  }

  hints(classId: string): ClassHint[] {
    return this.#ctx.read('read the class hints', () => this.#s.hints.all(classId).map(toHint))
  }

  /** A learner's attempts with ids after `afterId` (ids are time-ordered UUIDv7s); '' for all. */
  attemptsSince(learnerId: string, afterId: string): ClassAttempt[] {
    return this.#ctx.read('read new answers', () =>
      this.#s.attemptsSince.all(learnerId, afterId).map(toAttempt)
    )
  }

  hintsSince(learnerId: string, afterId: string): ClassHint[] {
    return this.#ctx.read('read new hints', () => this.#s.hintsSince.all(learnerId, afterId).map(toHint))
  }

  /** The newest attempt and hint ids of a learner: where the dashboard starts listening. */
  cursors(learnerId: string): { attempt: string; hint: string } {
    return this.#ctx.read('read the activity cursor', () => ({
      attempt: this.#s.lastAttemptId.get(learnerId)!.id ?? '',
      hint: this.#s.lastHintId.get(learnerId)!.id ?? ''
    }))
  }

  /** Per member, the session touched most recently. */
  positions(classId: string): MemberPosition[] {
    return this.#ctx.read('read where learners are', () => {
      const latest = new Map<string, MemberPosition>()
      for (const r of this.#s.positions.all(classId)) {
        if (!latest.has(r.learner_id)) {
          latest.set(r.learner_id, {
            learnerId: r.learner_id,
            lessonId: r.lesson_id,
            stepId: r.step_id,
            status: r.status,
            updatedAt: r.updated_at
          })
        }
      }
      return [...latest.values()]
    })
  }

  /** Member × started lesson, ordered by member name then lesson id. */
  report(classId: string): ClassReportRow[] {
    return this.#ctx.read('build the class report', () =>
      this.#s.report.all(classId).map((r) => ({
        learnerId: r.learner_id,
        displayName: r.display_name,
        lessonId: r.lesson_id,
        status: r.status,
        score: r.score,
        passed: r.passed === null ? null : r.passed === 1,
        timeSpentMs: r.time_spent_ms,
        hints: r.hints,
        solutionsViewed: r.solutions,
        failedAttempts: r.failed_attempts,
        startedAt: r.started_at,
        completedAt: r.completed_at
      }))
    )
  }
}

interface AttemptRow {
  id: string
  learner_id: string
  lesson_id: string
  step_id: string
  question_id: string
  kind: 'quiz' | 'prediction'
  attempt_no: number
  answer_json: string
  justification: string | null
  correct: number
  at: number
}

const toAttempt = (r: AttemptRow): ClassAttempt => ({
  id: r.id,
  learnerId: r.learner_id,
  lessonId: r.lesson_id,
  stepId: r.step_id,
  questionId: r.question_id,
  kind: r.kind,
  attemptNo: r.attempt_no,
  answerJson: r.answer_json,
  justification: r.justification,
  correct: r.correct === 1,
  at: r.at
})

interface HintRow {
  id: string
  learner_id: string
  lesson_id: string
  step_id: string
  kind: 'static' | 'dynamic' | 'solution'
  at: number
}

const toHint = (r: HintRow): ClassHint => ({
  id: r.id,
  learnerId: r.learner_id,
  lessonId: r.lesson_id,
  stepId: r.step_id,
  kind: r.kind,
  at: r.at
})

interface PositionRow {
  learner_id: string
  lesson_id: string
  step_id: string
  status: 'in-progress' | 'completed'
  updated_at: number
}

interface ReportRow {
  learner_id: string
  display_name: string
  lesson_id: string
  status: 'in-progress' | 'completed'
  score: number | null
  passed: number | null
  time_spent_ms: number
  started_at: number
  completed_at: number | null
  hints: number
  solutions: number
  failed_attempts: number
}
