import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { repoRoot, rendererDir, tempDir } from '../e2e/harness.ts'
import { rawRequest } from './api-call.ts'

// `npm run serve` as a learner runs it: its own process, a real data folder, the URL it prints.
// With --no-build: it serves the build the other tests share and must not rebuild it under them.

const serveScript = join(repoRoot, 'scripts', 'serve.mjs')

interface Served {
  url: string
  stop: () => Promise<void>
}

/** Starts `scripts/serve.mjs` and waits for the URL it prints. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [serveScript, '--no-build', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    let out = ''
    const read = (chunk: Buffer): void => {
      out += chunk.toString('utf8')
      const url = /Open (http:\/\/\S+)/.exec(out)?.[1]
      if (url && out.includes('host-token'))
        resolve({
          url,
          stop: async () => {
            child.kill('SIGTERM')
            await exited
          }
        })
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before it printed its URL:\n${out}`)))
  })
}

/** Runs `scripts/serve.mjs` expecting it to refuse its arguments; its exit code and output. */
function refused(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [serveScript, '--no-build', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })))
}

const noRenderer = !existsSync(join(rendererDir, 'index.html'))

describe.skipIf(noRenderer)('npm run serve', () => {
  test('prints a link with the token it keeps in the data folder, serves --public-host names, rotates on request', async () => {
    const data = tempDir('podnet-serve-cli-')
    try {
      const args = ['--data-dir', data.path, '--public-host', 'lab.example.org']
      const first = await serve(args)
      const token = new URL(first.url).searchParams.get('token')
      expect(token).toBe(readFileSync(join(data.path, 'host-token'), 'utf8').trim())
      const origin = new URL(first.url).origin
      const port = new URL(first.url).port
      expect(
        (await rawRequest(origin, { path: '/', headers: { host: `lab.example.org:${port}` } })).status
      ).toBe(200)
      expect(
        (await rawRequest(origin, { path: '/', headers: { host: `other.example.org:${port}` } })).status
      ).toBe(403)
      await first.stop()

      const again = await serve(args)
      expect(new URL(again.url).searchParams.get('token')).toBe(token)
      await again.stop()

      const rotated = await serve([...args, '--rotate-token'])
      const newToken = new URL(rotated.url).searchParams.get('token')
      expect(newToken).not.toBe(token)
      expect(readFileSync(join(data.path, 'host-token'), 'utf8').trim()).toBe(newToken)
      await rotated.stop()

      const badName = await refused(['--data-dir', data.path, '--public-host', 'http://lab.example.org/'])
      expect(badName.code).toBe(2)
      expect(badName.out).toContain('--public-host takes a host name')
    } finally {
      data.remove()
    }
  }, 120_000)
})
