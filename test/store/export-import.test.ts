import { describe, expect, it } from 'vitest'
import type { ProgressStore } from '../../src-main/store/index.ts'
import { canonicalJson, checksumOf } from '../../src-main/store/progress-file.ts'
import { dumpTables, issuesOf, openTempStore, seedLearner } from './helpers.ts'

/** Re-signs an edited file so that only the edit, not the checksum, is what import objects to. */
function resign(file: { checksum: string; body: unknown }): string {
  return JSON.stringify({ ...file, checksum: checksumOf(file.body) }, null, 2)
}

describe('progress export and import', () => {
  it('exports a versioned file whose checksum is SHA-256 of the canonical body', () => {
    const { store, clock } = openTempStore()
    const id = seedLearner(store, clock)
    const file = JSON.parse(store.exportProgress(id)) as {
      format: string
      formatVersion: number
      checksum: string
      body: { learner: { id: string }; attempts: unknown[] }
    }
    expect(file.format).toBe('podnet-lab.progress')
    expect(file.formatVersion).toBe(4)
    expect(file.checksum).toBe(checksumOf(file.body))
    expect(file.body.learner.id).toBe(id)
    expect(file.body.attempts).toHaveLength(2)
    expect(canonicalJson({ b: [1, { d: 1, c: 'é' }], a: null })).toBe('{"a":null,"b":[1,{"c":"é","d":1}]}')
  })

  it('restores everything on another machine, and importing the same file again changes nothing', () => {
    const source = openTempStore()
    const id = seedLearner(source.store, source.clock)
    const text = source.store.exportProgress(id)

    const target = openTempStore()
    const first = target.store.importProgress(text)
    expect(first).toEqual({
      learnerId: id,
      learnerCreated: true,
      changes: {
        learner: 1,
        lessonOpens: 2,
        sessions: 1,
        journal: 0,
        events: 1,
        attempts: 2,
        hintUses: 1,
        reviewItems: 1,
        settings: 1
      }
    })
    const strip = (t: string): unknown => ({
      ...(JSON.parse(t) as object),
      checksum: null,
      body: { ...(JSON.parse(t) as { body: object }).body, exportedAt: null }
    })
    expect(strip(target.store.exportProgress(id))).toEqual(strip(text))

    const tablesAfterFirst = dumpTables(target.file)
    const second = target.store.importProgress(text)
    expect(second.learnerCreated).toBe(false)
    expect(Object.values(second.changes).every((n) => n === 0)).toBe(true)
    expect(dumpTables(target.file)).toEqual(tablesAfterFirst)
  })

  it('merges progress made on two machines: new records added, completion and best score kept, newer snapshot wins', () => {
    const home = openTempStore()
    const id = seedLearner(home.store, home.clock)
    const school = openTempStore()
    school.store.importProgress(home.store.exportProgress(id))

    school.clock.advance(3_600_000)
    school.store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '01-pods',
      snapshot: { value: 'replay' },
      contentHash: 'hash-a',
      stepId: 'replay'
    })
    school.store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '03-vxlan',
      snapshot: { value: 'start' },
      contentHash: 'hash-c',
      stepId: 'start'
    })
    school.store.events.append({ learnerId: id, lessonId: '03-vxlan', stepId: 'start', kind: 'step.entered' })
    home.clock.advance(60_000)
    home.store.sessions.complete({ learnerId: id, lessonId: '01-pods', score: 0.95, passed: true })

    const report = home.store.importProgress(school.store.exportProgress(id))
    expect(report.changes).toMatchObject({ sessions: 2, events: 1, attempts: 0 })
    const pods = home.store.sessions.load(id, '01-pods')!
    expect(pods).toMatchObject({ status: 'completed', stepId: 'replay', score: 0.95, passed: true })
    expect(home.store.sessions.load(id, '03-vxlan')?.stepId).toBe('start')
    expect(home.store.events.list(id)).toHaveLength(2)
  })

  describe('refuses a bad file, changes nothing, and says exactly what is wrong', () => {
    function setup(): {
      store: ProgressStore
      file: string
      text: string
      parsed: { checksum: string; body: Record<string, unknown> }
    } {
      const { store, clock, file } = openTempStore()
      const id = seedLearner(store, clock)
      const text = store.exportProgress(id)
      store.profiles.delete(id)
      store.profiles.create('Someone else')
      return {
        store,
        file,
        text,
        parsed: JSON.parse(text) as { checksum: string; body: Record<string, unknown> }
      }
    }

    it('a JSON syntax error, located by line, column and UTF-8 byte offset', () => {
      const { store, file } = setup()
      const before = dumpTables(file)
      const text = '{\n  "format": "podnet-lab.progress",\n  "note": "Zoë 🐧",\n  "body": {,}\n}'
      expect(issuesOf(store, text)).toEqual([
        {
          path: '(file)',
          message: `not valid JSON: unexpected ",", expected a property name in double quotes`,
          line: 4,
          column: 12,
          byteOffset: Buffer.byteLength(text.slice(0, text.indexOf('{,') + 1))
        }
      ])
      expect(Buffer.byteLength(text.slice(0, text.indexOf('{,') + 1))).toBe(text.indexOf('{,') + 1 + 1 + 2)
      expect(dumpTables(file)).toEqual(before)
    })

    it('a truncated file', () => {
      const { store, text } = setup()
      const cut = text.slice(0, 200)
      expect(issuesOf(store, cut)).toEqual([
        expect.objectContaining({
          path: '(file)',
          message: 'not valid JSON: unterminated string',
          byteOffset: 200
        })
      ])
    })

    it('a field of the wrong type or out of range, named by its path', () => {
      const { store, file, parsed } = setup()
      const before = dumpTables(file)
      const body = parsed.body as {
        attempts: { score: unknown; correct: unknown }[]
        learner: { name: unknown }
      }
      body.attempts[1]!.score = 1.5
      body.attempts[0]!.correct = 'yes'
      delete (body.learner as { name?: unknown }).name
      const issues = issuesOf(store, resign(parsed))
      expect(issues.map((i) => i.path).sort()).toEqual([
        'body.attempts[0].correct',
        'body.attempts[1].score',
        'body.learner.name'
      ])
      expect(issues.find((i) => i.path === 'body.attempts[1].score')?.message).toMatch(/<=1/)
      expect(dumpTables(file)).toEqual(before)
    })

    it('an unknown field', () => {
      const { store, parsed } = setup()
      ;(parsed.body.sessions as Record<string, unknown>[])[0]!.grade = 'A'
      expect(issuesOf(store, resign(parsed))).toEqual([
        { path: 'body.sessions[0]', message: 'Unrecognized key: "grade"' }
      ])
    })

    it('a body edited after export (checksum mismatch)', () => {
      const { store, file, text } = setup()
      const before = dumpTables(file)
      const edited = text.replace('"score": 0.75', '"score": 1')
      expect(edited).not.toBe(text)
      const [issue, ...rest] = issuesOf(store, edited)
      expect(rest).toEqual([])
      expect(issue!.path).toBe('checksum')
      expect(issue!.message).toMatch(
        /^the body does not match the checksum \(file says sha256:[0-9a-f]{64}, content gives sha256:[0-9a-f]{64}\): it was edited or damaged after export$/
      )
      expect(dumpTables(file)).toEqual(before)
    })

    it('duplicate ids inside the file', () => {
      const { store, parsed } = setup()
      const events = parsed.body.events as unknown[]
      events.push(events[0])
      expect(issuesOf(store, resign(parsed))).toEqual([
        { path: 'body.events[1]', message: 'id repeats body.events[0]' }
      ])
    })

    it('a file from a newer format version, or not a progress file at all', () => {
      const { store, parsed } = setup()
      expect(issuesOf(store, JSON.stringify({ ...parsed, formatVersion: 5 }))).toEqual([
        {
          path: 'formatVersion',
          message: 'version 5 was written by a newer Podnet Lab; this one reads version 4'
        }
      ])
      expect(issuesOf(store, '[1, 2, 3]')).toEqual([
        { path: 'format', message: 'expected "podnet-lab.progress": this is not a Podnet Lab progress file' }
      ])
    })

    it('a profile name already used by another profile here', () => {
      const { store, file, parsed } = setup()
      const before = dumpTables(file)
      ;(parsed.body.learner as { name: string }).name = 'SOMEONE ELSE'
      expect(issuesOf(store, resign(parsed))).toEqual([
        {
          path: 'body.learner.name',
          message:
            'another profile on this machine is already named "SOMEONE ELSE"; rename one of them and import again'
        }
      ])
      expect(dumpTables(file)).toEqual(before)
    })

    it('puts every issue in the error message as "path: reason"', () => {
      const { store, parsed } = setup()
      ;(parsed.body.events as { at: unknown }[])[0]!.at = -1
      expect(() => store.importProgress(resign(parsed))).toThrow(
        'The progress file was not imported, nothing changed:\nbody.events[0].at: Too small: expected number to be >=0'
      )
    })
  })
})
