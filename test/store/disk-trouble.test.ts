import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { openProgressStore } from '../../src-main/store/index.ts'
import { fakeClock, seedLearner, tempDir } from './helpers.ts'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const child = fileURLToPath(new URL('./child/disk-trouble.ts', import.meta.url))

/**
 * As root, chmod cannot make a folder read-only and nothing makes a disk full, so the child runs in
 * a private mount namespace (`unshare -m`) where a read-only bind mount and a 512 KiB tmpfs are
 * real. Where unshare is not permitted (an unprivileged container), the tests skip and say why.
 */
const probe = spawnSync(
  'unshare',
  ['--mount', '--propagation', 'private', 'mount', '-t', 'tmpfs', 'tmpfs', '/mnt'],
  {
    encoding: 'utf8'
  }
)
const unshareProblem =
  probe.error?.message ?? (probe.status === 0 ? null : `exit ${probe.status}: ${probe.stderr.trim()}`)
if (unshareProblem)
  console.warn(`SKIPPED read-only and full-disk tests: unshare -m is not permitted here (${unshareProblem})`)

/** Runs `script` (sh) in a private mount namespace, then the child with `args`; returns its JSON report. */
function inNamespace(script: string, env: Record<string, string>, args: string[]): unknown {
  const result = spawnSync(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      `set -e; ${script}; exec "$NODE" --import tsx "$CHILD" "$@"`,
      'sh',
      ...args
    ],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, ...env, NODE: process.execPath, CHILD: child },
      timeout: 120_000
    }
  )
  if (result.status !== 0) throw new Error(`child failed (status ${result.status}): ${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!)
}

function savedStore(dir: string): { file: string; eventIds: string[] } {
  const file = join(dir, 'progress.sqlite')
  const clock = fakeClock()
  const { store } = openProgressStore(file, { now: clock.now })
  const id = seedLearner(store, clock)
  const eventIds = store.events.list(id).map((e) => e.id)
  store.close()
  return { file, eventIds }
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

describe.skipIf(unshareProblem !== null)('a read-only data folder and a full disk', () => {
  it('reports a read-only folder as a clear error, keeps running, and leaves the saved store untouched', () => {
    const dir = tempDir()
    const { file, eventIds } = savedStore(dir)
    const before = sha(file)
    const report = inNamespace('mount --bind "$DIR" "$DIR"; mount -o remount,bind,ro "$DIR"', { DIR: dir }, [
      'read-only',
      file
    ])
    expect(report).toEqual({
      openError: { code: 'read-only', message: expect.stringContaining(file) as string },
      alive: true
    })
    expect((report as { openError: { message: string } }).openError.message).toMatch(
      /read-only|cannot be opened/
    )
    console.info(`read-only folder: ${(report as { openError: { message: string } }).openError.message}`)
    expect(sha(file)).toBe(before)
    const { store, recovered } = openProgressStore(file, { now: Date.now })
    expect(recovered).toBeNull()
    expect(store.integrityCheck()).toEqual(['ok'])
    expect(store.events.list(store.profiles.list()[0]!.id).map((e) => e.id)).toEqual(eventIds)
    store.close()
  })

  it('fails a write on a full disk with a clear error, keeps running, and keeps every earlier write', () => {
    const seed = savedStore(tempDir())
    const mnt = tempDir()
    const report = inNamespace(
      'mount -t tmpfs -o size=512k tmpfs "$MNT"; cp "$SEED" "$MNT/progress.sqlite"',
      { MNT: mnt, SEED: seed.file },
      ['full', join(mnt, 'progress.sqlite')]
    ) as {
      before: { learners: string[]; events: string[]; integrity: string[] }
      acknowledged: string[]
      writeError: { code: string; message: string } | null
      laterWrite: string
      afterFailure: { events: string[]; integrity: string[] }
      afterReopen: { learners: string[]; events: string[]; integrity: string[] }
      recovered: unknown
    }
    expect(report.before.events).toEqual(seed.eventIds)
    expect(report.writeError?.code).toBe('disk-full')
    expect(report.writeError?.message).toMatch(
      /^Cannot record the step event: the disk holding .+ is full \(.+\)\. This change was not saved; progress saved before it is unchanged\. Free some space and try again\.$/
    )
    expect(report.acknowledged.length).toBeGreaterThan(0)
    expect(['succeeded', 'disk-full']).toContain(report.laterWrite)
    const everything = [...seed.eventIds, ...report.acknowledged]
    expect(report.afterFailure).toMatchObject({ events: everything, integrity: ['ok'] })
    expect(report.afterReopen).toEqual({ learners: ['Ada'], events: everything, integrity: ['ok'] })
    expect(report.recovered).toBeNull()
    console.info(
      `full disk: ${report.acknowledged.length} writes fit before SQLITE_FULL, all kept: ${report.writeError!.message}`
    )
  })
})
