import { connect, type Socket } from 'node:net'
import { describe, expect, test } from 'vitest'
import { defaultWebHostLimits } from '../../src-main/platform/web/server.ts'
import { rawPost, withWebHost } from './api-call.ts'

// One client that opens sockets and never finishes its requests could hold thousands of them and
// run the host out of file descriptors, so each socket has a deadline and each address a cap.

/** A socket to the host, resolved once connected; `closed` resolves when the host drops it. */
function openSocket(origin: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) })
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (received += chunk))
    const closed = new Promise<string>((done) => socket.on('close', () => done(received)))
    socket.once('connect', () => resolve({ socket, closed }))
    socket.once('error', reject)
  })
}

describe('the web host does not let a client hold its sockets', () => {
  test(
    'a client that stalls in the body, or never sends a byte, is cut off while another is served',
    async () => {
      await withWebHost(async (host) => {
        const events: string[] = []
        const silent = await openSocket(host.origin)
        const silentCutOff = silent.closed.then(() => events.push('silent client cut off'))
        const { socket, closed } = await openSocket(host.origin)
        socket.on('error', () => undefined)
        const port = new URL(host.origin).port
        socket.write(
          [
            'POST /api/profiles:create HTTP/1.1',
            `Host: 127.0.0.1:${port}`,
            `Authorization: Bearer ${host.token}`,
            'Content-Type: application/json',
            'Content-Length: 100',
            '',
            '{"name":'
          ].join('\r\n')
        )
        const cutOff = closed.then((received) => {
          events.push('stalled client cut off')
          return received
        })

        const served = await rawPost(host, 'lessons:list', {})
        events.push('second client served')
        expect(served.status).toBe(200)

        const received = await cutOff
        await silentCutOff
        expect(events[0]).toBe('second client served')
        expect(events.slice(1).sort()).toEqual(['silent client cut off', 'stalled client cut off'])
        // Node answers 408 if it still can; either way no profile was made from half a body.
        if (received !== '') expect(received).toMatch(/^HTTP\/1\.1 408/)
        const profiles = JSON.parse((await rawPost(host, 'profiles:list', {})).body) as {
          value: { profiles: unknown[] }
        }
        expect(profiles.value.profiles).toEqual([])
      })
    },
    // The body timeout (12 s) plus Node's once-a-second check, with room for a busy machine.
    defaultWebHostLimits.requestTimeoutMs * 4
  )

  test('sockets beyond the per-address cap are closed; those within it are still served', async () => {
    await withWebHost(
      async (host) => {
        const held = [await openSocket(host.origin), await openSocket(host.origin)]
        const events: string[] = []
        const extra = await openSocket(host.origin)
        await extra.closed
        events.push('socket over the cap closed')

        const port = new URL(host.origin).port
        const first = held[0]!
        first.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)
        const answer = await first.closed
        events.push('socket within the cap served')
        expect(answer).toMatch(/^HTTP\/1\.1 200/)
        expect(events).toEqual(['socket over the cap closed', 'socket within the cap served'])
        for (const { socket } of held) socket.destroy()
      },
      () => ({ limits: { connectionsPerAddress: 2 } })
    )
  })
})
