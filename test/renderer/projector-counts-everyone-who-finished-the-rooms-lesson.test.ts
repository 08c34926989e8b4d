import { describe, expect, test } from 'vitest'
import type { ClassEvent, Dashboard } from '../../src-main/api/classroom-contract.ts'
import { applyClassEvent } from '../../src-renderer/src/lib/classroom/dashboard-events.ts'
import { anonymousEvent } from '../../src-main/classroom/anonymous-feed.ts'
import { roomSummary } from '../../src-renderer/src/lib/classroom/room-summary.ts'

const snapshot: Dashboard = {
  classId: 'cls_abcdefgh',
  name: 'Room 4',
  status: 'open',
  joinCode: 'K7M2QX',
  at: '2026-11-26T01:00:00.000Z',
  learners: [],
  stuckCount: 0,
  questions: [],
  lessons: [],
  newLessons: 'enabled',
  studentId: 'optional'
}

const at = (s: number): string => new Date(Date.parse(snapshot.at) + s * 1000).toISOString()
const joined = (n: number, name: string): ClassEvent => ({
  type: 'learner-joined',
  at: at(n),
  learnerId: `learner-${name}`,
  name,
  seatCode: 'AAAAAA'
})
const step = (n: number, name: string, lessonId: string, stepId: string, completed = false): ClassEvent => ({
  type: 'step-changed',
  at: at(n),
  learnerId: `learner-${name}`,
  lessonId,
  stepId,
  completed
})

/** The projector folds the host's anonymous feed, as ProjectorView does. */
const fold = (events: ClassEvent[]): Dashboard =>
  events.map(anonymousEvent).reduce<Dashboard | null>((d, e) => applyClassEvent(d, e), snapshot)!

describe('the projector counts everyone who finished the room’s lesson', () => {
  test('nobody in a lesson yet: no lesson to name', () => {
    expect(roomSummary(fold([joined(1, 'Ana')]).learners)).toEqual({ lessonId: null, finished: 0 })
  })

  test('a learner who finished and moved on to the next lesson still counts as finished', () => {
    const d = fold([
      joined(1, 'Ana'),
      joined(2, 'Bo'),
      joined(3, 'Cy'),
      step(4, 'Ana', 'tour', 'welcome'),
      step(5, 'Bo', 'tour', 'welcome'),
      step(6, 'Cy', 'tour', 'welcome'),
      step(7, 'Ana', 'tour', 'completed', true),
      step(8, 'Ana', 'pod-on-the-wire', 'intro')
    ])
    expect(roomSummary(d.learners)).toEqual({ lessonId: 'tour', finished: 1 })
  })

  test('finishing the same lesson twice is one lesson completed', () => {
    const d = fold([
      joined(1, 'Ana'),
      step(2, 'Ana', 'tour', 'completed', true),
      step(3, 'Ana', 'tour', 'welcome'),
      step(4, 'Ana', 'tour', 'completed', true)
    ])
    expect(d.learners[0]).toMatchObject({ lessonsCompleted: 1, completedLessons: ['tour'] })
  })
})
