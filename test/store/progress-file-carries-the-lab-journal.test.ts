import { describe, expect, it } from 'vitest'
import type { ProgressStore } from '../../src-main/store/index.ts'
import { checksumOf } from '../../src-main/store/progress-file.ts'
import { dumpTables, issuesOf, openTempStore, seedLearner } from './helpers.ts'

const exec = (line: string): { kind: 'exec'; on: string; line: string } => ({
  kind: 'exec',
  on: 'node-1',
  line
})

interface FileSession {
  lessonId: string
  snapshot: unknown
  journal?: { position: number; entry: unknown; status: string }[]
  updatedAt: number
}
interface ParsedFile {
  formatVersion: number
  checksum: string
  body: { sessions: FileSession[] } & Record<string, unknown>
}

/** A lesson as the lab host leaves it: snapshot of the machine, journal in rows, one command stopped. */
function playLab(store: ProgressStore, learnerId: string, lessonId: string, commands: number): void {
  for (let i = 0; i < commands; i++) store.journal.append(learnerId, lessonId, exec(`cmd ${i}`))
  if (commands > 1) store.journal.markStopped(learnerId, lessonId, 1)
  store.sessions.saveSnapshot({
    learnerId,
    lessonId,
    snapshot: { machine: { value: 'explore', context: { commands } }, stepJournalStart: commands },
    contentHash: 'hash-a',
    stepId: 'explore'
  })
}

function resign(file: ParsedFile): string {
  return JSON.stringify({ ...file, checksum: checksumOf(file.body) }, null, 2)
}

/** What an older Podnet Lab wrote: format version 1, each journal inside its session's snapshot. */
function asVersion1(text: string): string {
  const file = JSON.parse(text) as ParsedFile
  file.formatVersion = 1
  for (const session of file.body.sessions) {
    const journal = session.journal
    delete session.journal
    if (journal && journal.length > 0) {
      session.snapshot = { ...(session.snapshot as object), journal: journal.map((e) => e.entry) }
    }
  }
  return resign(file)
}

describe('the progress file carries each lesson’s lab journal', () => {
  it('export → import on another machine resumes the same lab; importing again changes nothing', () => {
    const home = openTempStore()
    const id = seedLearner(home.store, home.clock)
    playLab(home.store, id, '01-pods', 4)
    playLab(home.store, id, '02-bridge', 1)
    const text = home.store.exportProgress(id)
    const file = JSON.parse(text) as ParsedFile
    expect(file.formatVersion).toBe(4)
    expect(file.body.sessions.find((s) => s.lessonId === '01-pods')!.journal).toEqual([
      { position: 0, entry: exec('cmd 0'), status: 'ok' },
      { position: 1, entry: exec('cmd 1'), status: 'stopped' },
      { position: 2, entry: exec('cmd 2'), status: 'ok' },
      { position: 3, entry: exec('cmd 3'), status: 'ok' }
    ])

    const school = openTempStore()
    const report = school.store.importProgress(text)
    expect(report.changes).toMatchObject({ sessions: 2, journal: 5 })
    for (const lesson of ['01-pods', '02-bridge']) {
      expect(school.store.journal.list(id, lesson)).toEqual(home.store.journal.list(id, lesson))
      expect(school.store.sessions.load(id, lesson)!.snapshot).toEqual(
        home.store.sessions.load(id, lesson)!.snapshot
      )
    }
    expect(school.store.journal.length(id, '01-pods')).toBe(4)

    const tables = dumpTables(school.file)
    const again = school.store.importProgress(text)
    expect(Object.values(again.changes).every((n) => n === 0)).toBe(true)
    expect(dumpTables(school.file)).toEqual(tables)
  })

  it('the newer session brings its journal, writing only the commands the other side lacks', () => {
    const home = openTempStore()
    const id = home.store.profiles.create('Ada').id
    playLab(home.store, id, '01-pods', 3)
    const school = openTempStore()
    school.store.importProgress(home.store.exportProgress(id))

    // At school the learner carries on with the lab: two more commands, a newer snapshot.
    school.clock.advance(60_000)
    school.store.journal.append(id, '01-pods', exec('cmd 3'))
    school.store.journal.append(id, '01-pods', exec('cmd 4'))
    school.store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '01-pods',
      snapshot: { machine: { value: 'explore', context: { commands: 5 } }, stepJournalStart: 5 },
      contentHash: 'hash-a',
      stepId: 'explore'
    })
    const report = home.store.importProgress(school.store.exportProgress(id))
    expect(report.changes).toMatchObject({ sessions: 1, journal: 2 })
    expect(home.store.journal.list(id, '01-pods')).toEqual(school.store.journal.list(id, '01-pods'))

    // Then back at school a lab reset that the older home file must not undo.
    school.clock.advance(60_000)
    school.store.journal.truncate(id, '01-pods', 0)
    school.store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '01-pods',
      snapshot: { machine: { value: 'explore' }, stepJournalStart: 0 },
      contentHash: 'hash-a',
      stepId: 'explore'
    })
    const older = school.store.importProgress(home.store.exportProgress(id))
    expect(older.changes.journal).toBe(0)
    expect(school.store.journal.length(id, '01-pods')).toBe(0)

    // …while the newer school file resets home's lab too.
    const newer = home.store.importProgress(school.store.exportProgress(id))
    expect(newer.changes.journal).toBe(5)
    expect(home.store.journal.length(id, '01-pods')).toBe(0)
  })

  it('an old (version 1) file with journals inside the snapshots imports them into rows', () => {
    const home = openTempStore()
    const id = seedLearner(home.store, home.clock)
    home.store.journal.append(id, '02-bridge', exec('ip a'))
    home.store.journal.append(id, '02-bridge', { kind: 'trace', spec: { from: 'a', to: 'b' } })
    home.store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '02-bridge',
      snapshot: { machine: { value: 'ping' }, stepJournalStart: 1 },
      contentHash: 'hash-b',
      stepId: 'ping'
    })
    const v1 = asVersion1(home.store.exportProgress(id))
    const old = JSON.parse(v1) as ParsedFile
    expect(old.formatVersion).toBe(1)
    expect(old.body.sessions.find((s) => s.lessonId === '02-bridge')!.snapshot).toEqual({
      machine: { value: 'ping' },
      stepJournalStart: 1,
      journal: [exec('ip a'), { kind: 'trace', spec: { from: 'a', to: 'b' } }]
    })

    const school = openTempStore()
    const report = school.store.importProgress(v1)
    expect(report.changes).toMatchObject({ sessions: 2, journal: 2 })
    expect(school.store.journal.list(id, '02-bridge')).toEqual([
      { position: 0, entry: exec('ip a'), status: 'ok' },
      { position: 1, entry: { kind: 'trace', spec: { from: 'a', to: 'b' } }, status: 'ok' }
    ])
    expect(school.store.sessions.load(id, '02-bridge')!.snapshot).toEqual({
      machine: { value: 'ping' },
      stepJournalStart: 1
    })
    // A version-1 snapshot without a journal (an early lesson with no lab) is kept as it was.
    expect(school.store.sessions.load(id, '01-pods')!.snapshot).toEqual(
      home.store.sessions.load(id, '01-pods')!.snapshot
    )
    expect(school.store.journal.length(id, '01-pods')).toBe(0)
    // The same data as a version-2 export gives, and importing it twice changes nothing.
    expect(school.store.importProgress(v1).changes).toMatchObject({ sessions: 0, journal: 0 })
    expect(
      Object.values(school.store.importProgress(home.store.exportProgress(id)).changes).every((n) => n === 0)
    ).toBe(true)
  })

  it('a version-2 session without its journal, or a position given twice, is refused by path', () => {
    const { store, clock } = openTempStore()
    const id = seedLearner(store, clock)
    playLab(store, id, '02-bridge', 3)
    const text = store.exportProgress(id)
    store.profiles.delete(id)

    const missing = JSON.parse(text) as ParsedFile
    delete missing.body.sessions[0]!.journal
    expect(issuesOf(store, resign(missing))).toEqual([
      { path: 'body.sessions[0].journal', message: 'Invalid input: expected array, received undefined' }
    ])

    const twice = JSON.parse(text) as ParsedFile
    const journal = twice.body.sessions[1]!.journal!
    journal.push({ ...journal[0]!, entry: exec('again') })
    expect(issuesOf(store, resign(twice))).toEqual([
      { path: 'body.sessions[1].journal[3]', message: 'position repeats body.sessions[1].journal[0]' }
    ])

    const negative = JSON.parse(text) as ParsedFile
    negative.body.sessions[1]!.journal![0]!.position = -1
    expect(issuesOf(store, resign(negative)).map((i) => i.path)).toEqual([
      'body.sessions[1].journal[0].position'
    ])
    expect(store.profiles.list()).toEqual([])
  })
})
