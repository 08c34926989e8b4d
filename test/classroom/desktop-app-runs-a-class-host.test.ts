import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RunningClassHost } from '../../src-main/api/class-host-contract.ts'
import { dispatch } from '../../src-main/api/dispatch.ts'
import type { ApiErrorBody } from '../../src-main/api/envelope.ts'
import { createService, type Service } from '../../src-main/api/service.ts'
import {
  createClassHostLauncher,
  lanIPv4Addresses,
  type Interfaces
} from '../../src-main/platform/classroom-host.ts'
import { startWebHost } from '../../src-main/platform/web/server.ts'
import { tempDir } from '../e2e/harness.ts'
import { lessonsDir, ok, post, rendererFixture, type Joined } from './classroom-host.ts'

/** What `os.networkInterfaces()` answers on a laptop on Wi-Fi with Docker installed. */
const laptop: Interfaces = {
  lo: [
    {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8'
    },
    {
      address: '::1',
      netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      family: 'IPv6',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '::1/128',
      scopeid: 0
    }
  ],
  wlan0: [
    {
      address: '192.168.77.20',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '3c:22:fb:01:02:03',
      internal: false,
      cidr: '192.168.77.20/24'
    },
    {
      address: 'fe80::3e22:fbff:fe01:203',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '3c:22:fb:01:02:03',
      internal: false,
      cidr: 'fe80::3e22:fbff:fe01:203/64',
      scopeid: 3
    }
  ],
  docker0: [
    {
      address: '172.17.0.1',
      netmask: '255.255.0.0',
      family: 4,
      mac: '02:42:ac:11:00:01',
      internal: false,
      cidr: '172.17.0.1/16'
    }
  ],
  // 192.0.2.0/24 is TEST-NET-1: listed here, but no real interface has it, so listening fails.
  tun0: [
    {
      address: '192.0.2.55',
      netmask: '255.255.255.255',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: false,
      cidr: '192.0.2.55/32'
    }
  ]
}

describe('the LAN addresses offered for a class', () => {
  test('are the non-internal IPv4 addresses, in the OS order, whatever form family takes', () => {
    expect(lanIPv4Addresses(laptop)).toEqual([
      { address: '192.168.77.20', interface: 'wlan0', loopback: false },
      { address: '172.17.0.1', interface: 'docker0', loopback: false },
      { address: '192.0.2.55', interface: 'tun0', loopback: false }
    ])
  })

  test('are none on a machine with only loopback', () => {
    expect(lanIPv4Addresses({ lo: laptop['lo'] })).toEqual([])
  })
})

describe('the desktop app runs a class host through the contract', () => {
  const data = tempDir('podnet-desktop-class-')
  const windowLog: string[] = []
  let service: Service
  let started: RunningClassHost

  const call = async <T>(method: string, input: unknown): Promise<T> => {
    const answer = await dispatch(service.handlers, method, input)
    if (!answer.ok) throw new Error(`${method}: ${answer.error.code}: ${answer.error.message}`)
    return answer.value as T
  }
  const refusal = async (method: string, input: unknown): Promise<ApiErrorBody> => {
    const answer = await dispatch(service.handlers, method, input)
    if (answer.ok) throw new Error(`${method} was expected to fail`)
    return answer.error
  }

  beforeAll(() => {
    const packsDir = join(data.path, 'packs')
    const launcher = createClassHostLauncher({
      service: () => service,
      rendererDir: rendererFixture,
      packsDir,
      lessonsDir,
      interfaces: () => laptop,
      instructorWindow: {
        open: (host) => windowLog.push(`open ${host.instructorUrl}`),
        close: () => windowLog.push('close')
      }
    })
    service = createService({
      dataDir: data.path,
      lessonsDir,
      packsDir,
      version: 'test',
      classHost: launcher
    })
  })

  afterAll(async () => {
    await dispatch(service.handlers, 'classroomHost:stop', {})
    service.close()
    data.remove()
  })

  test('offers the LAN addresses, then loopback', async () => {
    const { addresses } = await call<{ addresses: { address: string; loopback: boolean }[] }>(
      'classroomHost:addresses',
      {}
    )
    expect(addresses.map((a) => `${a.address}${a.loopback ? ' (loopback)' : ''}`)).toEqual([
      '192.168.77.20',
      '172.17.0.1',
      '192.0.2.55',
      '127.0.0.1 (loopback)'
    ])
  })

  test('refuses an address this computer does not have, naming the field and the choices', async () => {
    expect(await refusal('classroomHost:start', { address: '10.9.9.9', port: 0 })).toEqual({
      code: 'invalid_input',
      message:
        'address: "10.9.9.9" is not an address of this computer; pick one of 192.168.77.20, 172.17.0.1, 192.0.2.55 (or 127.0.0.1 for this computer only)',
      reason: { id: 'address_gone', params: { address: '10.9.9.9' } }
    })
    expect(await refusal('classroomHost:start', { address: 'my-laptop.local' })).toEqual({
      code: 'invalid_input',
      message: 'address: expected an IP address such as 192.168.1.20',
      reason: {
        id: 'field_invalid',
        params: { method: 'classroomHost:start', field: 'address', expected: 'invalid' }
      }
    })
    expect((await call<{ running: unknown }>('classroomHost:status', {})).running).toBeNull()
  })

  test('reports an address that vanished since it was listed as the address to pick again', async () => {
    expect(await refusal('classroomHost:start', { address: '192.0.2.55', port: 0 })).toEqual({
      code: 'invalid_input',
      message: 'address: 192.0.2.55 is no longer an address of this computer; pick one again',
      reason: { id: 'address_gone', params: { address: '192.0.2.55' } }
    })
    expect(windowLog).toEqual([])
  })

  test('starts a class whose join URL and code let a learner join over HTTP', async () => {
    started = await call<RunningClassHost>('classroomHost:start', {
      address: '127.0.0.1',
      port: 0,
      className: 'Room 4'
    })
    expect(started.origin).toBe(`http://127.0.0.1:${started.port}`)
    expect(started.className).toBe('Room 4')
    expect(started.joinUrl).toBe(`${started.origin}/#/join?code=${started.joinCode}`)
    expect(windowLog).toEqual([`open ${started.instructorUrl}`])
    expect(await call('classroomHost:status', {})).toEqual({ running: started })

    const page = await fetch(started.joinUrl)
    expect(page.status).toBe(200)
    const code = new URL(started.joinUrl).hash.split('code=')[1]
    const joined = await ok<Joined>(started.origin, 'class:join', { code, name: 'Ada' })
    expect(joined.classId).toBe(started.classId)
    expect(joined.className).toBe('Room 4')

    const wrong = await post(started.origin, 'class:join', { code: 'ZZZZZZ', name: 'Eve' })
    expect(wrong.body.error?.code).toBe('not_found')
  })

  test('the instructor URL carries the token the class dashboard needs', async () => {
    const token = new URL(started.instructorUrl).searchParams.get('token')
    expect(new URL(started.instructorUrl).hash).toBe('#/instructor')
    const dashboard = await ok<{ learners: { name: string }[] }>(
      started.origin,
      'class:dashboard',
      { classId: started.classId },
      token
    )
    expect(dashboard.learners.map((l) => l.name)).toEqual(['Ada'])
    expect((await post(started.origin, 'class:dashboard', { classId: started.classId })).status).toBe(401)
  })

  test('the class host never serves starting or stopping class hosts over HTTP, even to the instructor', async () => {
    const token = new URL(started.instructorUrl).searchParams.get('token')
    for (const method of ['classroomHost:stop', 'classroomHost:start', 'classroomHost:status']) {
      const answer = await post(
        started.origin,
        method,
        method === 'classroomHost:start' ? { address: '127.0.0.1' } : {},
        token
      )
      expect(answer.status).toBe(403)
      expect(answer.body.error?.message).toBe(
        `${method} is for the desktop app's own window; a class host does not serve it over HTTP`
      )
    }
    expect((await call<{ running: RunningClassHost }>('classroomHost:status', {})).running.origin).toBe(
      started.origin
    )
  })

  test('opens the instructor dashboard again on request', async () => {
    windowLog.length = 0
    await call('classroomHost:openDashboard', {})
    expect(windowLog).toEqual([`open ${started.instructorUrl}`])
  })

  test('stop closes the port and the instructor window; the class stays open for a restart', async () => {
    windowLog.length = 0
    expect(await call('classroomHost:stop', {})).toEqual({ stopped: true })
    expect(windowLog).toEqual(['close'])
    await expect(fetch(`${started.origin}/`)).rejects.toThrow()
    expect(await call('classroomHost:status', {})).toEqual({ running: null })
    expect(await call('classroomHost:stop', {})).toEqual({ stopped: false })
    expect(await refusal('classroomHost:openDashboard', {})).toEqual({
      code: 'not_found',
      message: 'no class host is running; start one first',
      reason: { id: 'class_not_running', params: {} }
    })
  })

  test('a restart on the same port continues the class, so a learner rejoins with their token', async () => {
    const joined = await ok<Joined>(
      (await call<RunningClassHost>('classroomHost:start', { address: '127.0.0.1', port: 0 })).origin,
      'class:join',
      { code: started.joinCode, name: 'Grace' }
    )
    await call('classroomHost:stop', {})
    const again = await call<RunningClassHost>('classroomHost:start', {
      address: '127.0.0.1',
      port: started.port
    })
    expect(again.origin).toBe(started.origin)
    expect(again.classId).toBe(started.classId)
    expect(again.joinCode).toBe(started.joinCode)
    const rejoined = await ok<Joined>(again.origin, 'class:rejoin', {}, joined.learnerToken)
    expect(rejoined.learnerId).toBe(joined.learnerId)
  })

  test('refuses a port already in use, naming the field, and keeps nothing half-started', async () => {
    const running = (await call<{ running: RunningClassHost }>('classroomHost:status', {})).running
    const other = await startWebHost({ handlers: service.handlers, rendererDir: rendererFixture, port: 0 })
    try {
      const port = Number(new URL(other.origin).port)
      expect(await refusal('classroomHost:start', { address: '127.0.0.1', port })).toEqual({
        code: 'invalid_input',
        message: `port: ${port} is already in use on 127.0.0.1; stop what uses it or pick another port`,
        reason: { id: 'port_in_use', params: { port, address: '127.0.0.1' } }
      })
      expect(await call('classroomHost:status', {})).toEqual({ running: null })
      await expect(fetch(`${running.origin}/`)).rejects.toThrow()
    } finally {
      await other.close()
    }
  })

  test('a new class on request gets its own id and code', async () => {
    const fresh = await call<RunningClassHost>('classroomHost:start', {
      address: '127.0.0.1',
      port: 0,
      newClass: true,
      className: 'Afternoon'
    })
    expect(fresh.classId).not.toBe(started.classId)
    expect(fresh.className).toBe('Afternoon')
    await ok<Joined>(fresh.origin, 'class:join', { code: fresh.joinCode, name: 'Ada' })
  })

  test('shows a class closed on the dashboard as closed; the next start continues the newest open one', async () => {
    const { running } = await call<{ running: RunningClassHost }>('classroomHost:status', {})
    expect(running.classOpen).toBe(true)
    const token = new URL(running.instructorUrl).searchParams.get('token')
    await ok(running.origin, 'class:close', { classId: running.classId }, token)
    expect((await call<{ running: RunningClassHost }>('classroomHost:status', {})).running.classOpen).toBe(
      false
    )
    const next = await call<RunningClassHost>('classroomHost:start', { address: '127.0.0.1', port: 0 })
    expect(next).toMatchObject({ classId: started.classId, classOpen: true })
  })
})

describe('the web host has no class-host launcher', () => {
  const data = tempDir('podnet-web-no-class-host-')
  let service: Service

  beforeAll(() => {
    service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
  })

  afterAll(() => {
    service.close()
    data.remove()
  })

  test('answers that it runs a class from its command line', async () => {
    const host = await startWebHost({ handlers: service.handlers, rendererDir: rendererFixture, port: 0 })
    try {
      for (const method of [
        'classroomHost:addresses',
        'classroomHost:start',
        'classroomHost:status',
        'classroomHost:stop'
      ]) {
        const answer = await post(
          host.origin,
          method,
          method === 'classroomHost:start' ? { address: '127.0.0.1' } : {},
          host.token
        )
        expect(answer.status).toBe(404)
        expect(answer.body.error).toEqual({
          code: 'unknown_method',
          message: `${method} is the desktop app's: the web host runs a class with \`npm run serve -- --classroom --host <address>\``,
          reason: { id: 'desktop_only', params: { method } }
        })
      }
    } finally {
      await host.close()
    }
  })
})
