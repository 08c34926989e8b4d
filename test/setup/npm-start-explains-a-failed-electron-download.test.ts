import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { repoRoot, tempDir } from '../e2e/harness.ts'

// Electron's binary comes from a download on first `npm start`. Here that download is made to fail
// for certain, on any machine, online or not: the mirror is a loopback port nothing listens on.

const electronVersion = (
  JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
    version: string
  }
).version

/** A loopback port that refuses connections: bound to find a free one, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no TCP port was bound')
  return address.port
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  )
}

describe('npm start where Electron cannot be downloaded', () => {
  const scratch = tempDir('podnet-electron-download-')
  let mirror: string
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    mirror = `http://127.0.0.1:${await closedPort()}/`
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) =>
          // Anything that would point the download elsewhere, or route it through a proxy.
          !/^(npm_config_electron_|npm_package_config_electron_|electron_|force_no_cache$)/i.test(key) &&
          !/^(https?|all|no)_proxy$/i.test(key)
      )
    )
    env = {
      ...inherited,
      ELECTRON_MIRROR: mirror,
      // npm passes an electron_mirror from any .npmrc on as this, and @electron/get prefers it.
      npm_config_electron_mirror: mirror,
      // Even where Electron is installed, the installer must not find it and skip the download…
      ELECTRON_OVERRIDE_DIST_PATH: join(scratch.path, 'no-electron-here'),
      // …nor take it from a download cached by an earlier run.
      electron_config_cache: join(scratch.path, 'cache')
    }
  })

  afterAll(() => scratch.remove())

  test('says what failed — Electron, its version, the address, the reason — and what to do, without a stack', async () => {
    const { code, stdout, stderr } = await run(
      process.execPath,
      [join(repoRoot, 'scripts', 'ensure-electron.mjs')],
      { ...env, npm_lifecycle_event: 'start' }
    )
    expect(code, stderr).toBe(1)
    expect(stdout).toContain(`Downloading Electron ${electronVersion} from ${mirror}`)
    const firstLine = stderr.split('\n')[0]!
    expect(firstLine).toContain(`npm start: could not download Electron ${electronVersion} from ${mirror}v`)
    expect(firstLine).toContain('the mirror set by ')
    expect(firstLine).toMatch(/ECONNREFUSED/)
    expect(stderr).toContain('npm run serve')
    expect(stderr).toContain('ELECTRON_MIRROR=')
    expect(stderr).toContain('HTTPS_PROXY=')
    expect(stderr).not.toContain('fetch failed')
    expect(stderr).not.toMatch(/^\s+at /m)
  })

  test.each([
    ['npm start', 'start'],
    ['npm run dev', 'dev'],
    ['npm run dist', 'dist']
  ])('%s stops at the download with the same message, before building anything', async (command, script) => {
    const { code, stdout, stderr } = await run('npm', ['run', script], env)
    expect(code, stdout + stderr).not.toBe(0)
    expect(stderr).toContain(`${command}: could not download Electron ${electronVersion} from ${mirror}`)
    expect(stderr).toContain(`make the download reachable and run ${command} again`)
    // npm echoes the whole script first; these are what its later steps print when they run.
    expect(stdout).not.toContain('rebuild-electron-native:')
    expect(stdout).not.toContain('i18n:')
    expect(stdout + stderr).not.toMatch(/^\s+at /m)
  })
})
