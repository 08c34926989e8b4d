import { mkdirSync, writeFileSync } from 'node:fs'
import { hostname, networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { AllowedHosts, startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'
import { tempDir } from '../e2e/harness.ts'
import { lessonsDir, rawRequest, type RawAnswer } from './api-call.ts'

// A web page the learner visits can point its own name at 127.0.0.1 (DNS rebinding) and then
// read the host as its own origin. Its requests still say its name in `Host`: the host refuses them.

describe('the web host answers only requests that name it in Host', () => {
  const data = tempDir('podnet-host-names-')
  let service: Service
  let host: WebHost
  let port: string
  let learnerId: string

  beforeAll(async () => {
    const renderer = join(data.path, 'renderer')
    mkdirSync(join(renderer, 'assets'), { recursive: true })
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Podnet Lab</title>')
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("app")')
    service = createService({ dataDir: join(data.path, 'data'), lessonsDir, version: 'test' })
    host = await startWebHost({
      handlers: service.handlers,
      rendererDir: renderer,
      publicHosts: ['lab.example.org']
    })
    port = new URL(host.origin).port
    learnerId = (await service.handlers['profiles:create']({ name: 'Ada' })).id
  })

  afterAll(async () => {
    await host.close()
    service.close()
    data.remove()
  })

  const get = (path: string, hostHeader: string): Promise<RawAnswer> =>
    rawRequest(host.origin, { path, headers: { host: hostHeader } })
  const exportAs = (hostHeader: string): Promise<RawAnswer> =>
    rawRequest(host.origin, {
      method: 'POST',
      path: '/api/progress:export',
      headers: {
        host: hostHeader,
        'content-type': 'application/json',
        authorization: `Bearer ${host.token}`
      },
      body: JSON.stringify({ learnerId, format: 'json' })
    })

  test('a foreign name is refused for the API, the app shell and a static file, naming the fix', async () => {
    for (const answer of [
      await exportAs('attacker.example'),
      await exportAs(`attacker.example:${port}`),
      await get('/', `attacker.example:${port}`),
      await get('/assets/app.js', `attacker.example:${port}`)
    ]) {
      expect(answer.status).toBe(403)
      expect(answer.headers['content-type']).toContain('application/json')
      const body = JSON.parse(answer.body) as { ok: boolean; error: { code: string; message: string } }
      expect(body.ok).toBe(false)
      expect(body.error.code).toBe('forbidden')
      expect(body.error.message).toContain('"attacker.example"')
      expect(body.error.message).toContain('--public-host attacker.example')
      expect(answer.body).not.toContain('<title>')
      expect(answer.body).not.toContain('console.log')
    }
  })

  test('a Host that is not a host name at all is refused', async () => {
    for (const hostHeader of [`user@127.0.0.1:${port}`, `127.0.0.1:${port}/x`, 'a b']) {
      expect((await get('/', hostHeader)).status, hostHeader).toBe(403)
    }
  })

  test('loopback names are served, with or without a port', async () => {
    for (const hostHeader of [`localhost:${port}`, `127.0.0.1:${port}`, '127.0.0.1', `[::1]:${port}`]) {
      const page = await get('/', hostHeader)
      expect(page.status, hostHeader).toBe(200)
      expect(page.body).toContain('<title>Podnet Lab</title>')
    }
    expect((await get('/assets/app.js', `localhost:${port}`)).body).toContain('console.log')
    const exported = await exportAs(`localhost:${port}`)
    expect(exported.status).toBe(200)
    expect(JSON.parse(exported.body)).toMatchObject({ ok: true })
  })

  test('a name given as a public host is served', async () => {
    expect((await get('/', `lab.example.org:${port}`)).status).toBe(200)
    expect((await get('/', `LAB.example.org.:${port}`)).status).toBe(200)
    expect((await exportAs('lab.example.org')).status).toBe(200)
    expect((await get('/', `other.example.org:${port}`)).status).toBe(403)
  })

  test("the machine's host name and <host name>.local are served", async () => {
    expect((await get('/', `${hostname()}:${port}`)).status).toBe(200)
    expect((await get('/', `${hostname()}.local:${port}`)).status).toBe(200)
  })

  const lanAddress = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && !entry.internal && entry.family === 'IPv4')?.address

  test.skipIf(lanAddress === undefined)("this machine's own interface address is served", async () => {
    expect((await get('/', `${lanAddress}:${port}`)).status).toBe(200)
  })
})

describe("the host's names follow the machine's addresses", () => {
  test('an address the machine gains after sleep is served, one it gave up is soon refused', () => {
    let clock = 0
    let addresses = [{ address: '192.168.1.20' }]
    const allowed = new AllowedHosts('127.0.0.1', [], {
      interfaces: () => ({ wlan0: addresses }),
      hostname: () => 'laptop',
      now: () => clock
    })
    expect(allowed.allows('192.168.1.20:4317')).toBe(true)
    expect(allowed.allows('10.0.0.7:4317')).toBe(false)
    clock += 60_000
    addresses = [{ address: '10.0.0.7' }]
    expect(allowed.allows('10.0.0.7:4317')).toBe(true)
    expect(allowed.allows('192.168.1.20:4317')).toBe(false)
    expect(allowed.allows('laptop.local')).toBe(true)
  })
})
