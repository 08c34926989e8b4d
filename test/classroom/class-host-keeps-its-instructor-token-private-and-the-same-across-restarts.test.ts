import { spawn } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { repoRoot, tempDir } from '../e2e/harness.ts'
import { post } from './classroom-host.ts'

// `npm run serve -- --classroom` as an instructor runs it, its terminal on the projector: its own
// process, a real data folder, everything it prints.

interface ClassRun {
  joinCode: string
  /** Everything the host printed, on standard output and error, from start to stop. */
  printed: () => string
  stop: () => Promise<void>
}

function serveClass(dataDir: string): Promise<ClassRun> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'scripts', 'serve.mjs'),
      '--no-build',
      '--classroom',
      '--port',
      '0',
      '--data-dir',
      dataDir
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let out = ''
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      out += chunk.toString('utf8')
      const code = /Join code: +([A-Z0-9]{6})/.exec(out)?.[1]
      if (code && out.includes('Instructor link'))
        resolve({
          joinCode: code,
          printed: () => out,
          stop: async () => {
            child.kill('SIGTERM')
            await exited
          }
        })
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.on('exit', (status) =>
      reject(new Error(`serve exited (${status}) before the class was open:\n${out}`))
    )
  })
}

describe('a class host started from the command line', () => {
  test('keeps the instructor token in a 0600 file across restarts and never prints it', async () => {
    const data = tempDir('podnet-class-token-')
    try {
      const tokenFile = join(data.path, 'host-token')
      const linkFile = join(data.path, 'instructor-link')

      const first = await serveClass(data.path)
      const token = readFileSync(tokenFile, 'utf8').trim()
      const link = new URL(readFileSync(linkFile, 'utf8').trim())
      expect(link.searchParams.get('token')).toBe(token)
      expect(link.hash).toBe('#/instructor')
      expect(first.printed()).toContain(linkFile)
      const dashboard = await post(link.origin, 'class:list', {}, token)
      expect(dashboard.status).toBe(200)
      await first.stop()

      const second = await serveClass(data.path)
      const again = new URL(readFileSync(linkFile, 'utf8').trim())
      expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token)
      expect((await post(again.origin, 'class:list', {}, token)).status).toBe(200)
      expect(second.joinCode).toBe(first.joinCode)
      await second.stop()

      for (const file of [tokenFile, linkFile]) expect(statSync(file).mode & 0o777).toBe(0o600)
      for (const run of [first, second]) {
        expect(run.printed()).toContain(run.joinCode)
        expect(run.printed()).not.toContain(token)
      }
    } finally {
      data.remove()
    }
  }, 120_000)
})
