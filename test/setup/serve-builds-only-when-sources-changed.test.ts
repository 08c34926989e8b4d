import { spawn } from 'node:child_process'
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  buildOutputs,
  buildState,
  inputHashes,
  stampPath,
  writeStamp
} from '../../scripts/build-freshness.ts'
import { repoRoot, tempDir } from '../e2e/harness.ts'

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), text)
}

/** A checkout with a few sources and a finished build of them, recorded as `npm run build` does. */
function builtTree(root: string): void {
  write(root, 'package.json', '{"name":"tree"}')
  write(root, 'src-main/api/service.ts', 'export const a = 1\n')
  write(root, 'src-renderer/index.html', '<!doctype html>\n')
  write(root, 'src-renderer/messages/en.json', '{"hello":"Hello"}')
  write(root, 'src-renderer/src/lib/i18n/paraglide/messages/hello.js', 'export const hello = 1\n')
  write(root, 'lessons/00-tour/lesson.yaml', 'id: tour\n')
  const inputs = inputHashes(root)
  for (const output of buildOutputs) write(root, output, `built ${output}\n`)
  writeStamp(root, inputs)
}

describe('the build freshness decision', () => {
  let tree: { path: string; remove: () => void }
  let root: string

  beforeEach(() => {
    tree = tempDir('podnet-freshness-')
    root = tree.path
    builtTree(root)
  })
  afterEach(() => tree.remove())

  test('a build of the sources as they are is current', () => {
    expect(buildState(root)).toEqual({ current: true })
  })

  test('an edited source asks for a build, naming the file; undoing the edit makes it current again', () => {
    write(root, 'src-main/api/service.ts', 'export const a = 2\n')
    expect(buildState(root)).toEqual({
      current: false,
      reason: 'sources changed since the last build (src-main/api/service.ts changed)'
    })
    write(root, 'src-main/api/service.ts', 'export const a = 1\n')
    expect(buildState(root)).toEqual({ current: true })
  })

  test('a new time on unchanged content is not a change (checkouts and copies move times)', () => {
    const future = new Date(Date.now() + 3_600_000)
    utimesSync(join(root, 'src-main/api/service.ts'), future, future)
    expect(buildState(root).current).toBe(true)
  })

  test('added and removed sources ask for a build', () => {
    write(root, 'src-renderer/src/New.svelte', '<p>new</p>\n')
    expect(buildState(root)).toMatchObject({
      current: false,
      reason: expect.stringContaining('New.svelte added')
    })
    rmSync(join(root, 'src-renderer/src/New.svelte'))
    rmSync(join(root, 'src-renderer/messages/en.json'))
    expect(buildState(root)).toMatchObject({
      current: false,
      reason: expect.stringContaining('src-renderer/messages/en.json removed')
    })
  })

  test('a changed dependency tree or lock asks for a build', () => {
    write(root, 'package-lock.json', '{"lockfileVersion":3}')
    expect(buildState(root)).toMatchObject({
      current: false,
      reason: expect.stringContaining('package-lock.json')
    })
  })

  test('lessons, the generated messages and inlang’s own files are not build inputs', () => {
    write(root, 'lessons/00-tour/lesson.yaml', 'id: tour-edited\n')
    write(root, 'src-renderer/src/lib/i18n/paraglide/messages/hello.js', 'export const hello = 2\n')
    write(root, 'src-renderer/project.inlang/.meta.json', '{"highestSdkVersion":"2"}\n')
    expect(buildState(root)).toEqual({ current: true })
  })

  test('the inlang settings are a build input', () => {
    write(root, 'src-renderer/project.inlang/settings.json', '{"baseLocale":"zh-CN"}\n')
    expect(buildState(root)).toMatchObject({
      current: false,
      reason: expect.stringContaining('settings.json')
    })
  })

  test('no build, a half build, or no record of the build asks for one', () => {
    rmSync(join(root, stampPath))
    expect(buildState(root)).toEqual({ current: false, reason: `no build is recorded in ${stampPath}` })
    builtTree(root)
    rmSync(join(root, 'out/renderer/index.html'))
    expect(buildState(root)).toEqual({ current: false, reason: 'out/ holds no complete build yet' })
  })

  test('out/ rebuilt by another command (electron-vite directly, npm run dev) asks for a build', () => {
    write(root, 'out/main/main.js', 'built by electron-vite dev, from sources not recorded\n')
    expect(buildState(root)).toEqual({
      current: false,
      reason: 'another command rebuilt out/ since the recorded build'
    })
  })
})

/** Runs `npm run serve`'s script until it prints its URL; everything it printed by then. */
function serveUntilUrl(dataDir: string): Promise<string> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'scripts', 'serve.mjs'), '--port', '0', '--data-dir', dataDir],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let out = ''
  let served = false
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      out += chunk.toString('utf8')
      if (!served && /Open http:\/\/\S+/.test(out)) {
        served = true
        child.kill('SIGTERM')
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    // Resolved once the host has stopped, so its data folder can be removed.
    child.on('exit', (code) =>
      served ? resolve(out) : reject(new Error(`serve exited (${code}) before it printed its URL:\n${out}`))
    )
  })
}

// The checkout's own build, as `npm test` leaves it: built and recorded just before the tests run.
const repoState = buildState(repoRoot)
if (!repoState.current) {
  if (process.env['CI'] === 'true')
    throw new Error(
      `npm test builds before it tests, yet the checkout's build is not current: ${repoState.reason}`
    )
  console.warn(
    `SKIPPING the serve start on this checkout: ${repoState.reason} (npm run build records a build)`
  )
}

describe.skipIf(!repoState.current)('npm run serve on this checkout', () => {
  test('with a current build it says so and serves it, without building', async () => {
    const data = tempDir('podnet-serve-current-')
    try {
      const out = await serveUntilUrl(data.path)
      expect(out).toContain('podnet serve: the build in out/ is current, serving it')
      expect(out).not.toContain('building')
    } finally {
      data.remove()
    }
  })
})
