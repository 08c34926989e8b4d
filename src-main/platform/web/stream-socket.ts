import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { ApiErrorCode, Envelope } from '../../api/envelope.ts'
import { StreamConnection, type StreamSink } from '../../api/stream-dispatch.ts'
import {
  streamBearerPrefix,
  streamCloseCodes,
  streamLimits,
  streamPath,
  streamProtocol,
  type StreamServerMessage,
  type Subscription
} from '../../api/streams.ts'

/** Why the host refuses a request before reading it (a foreign Host or Origin), or null. */
export interface Refusal {
  status: number
  code: ApiErrorCode
  message: string
}

export interface StreamSocketOptions {
  server: Server
  /** The host's own checks of `Host` and `Origin`, the same as for its POSTs. */
  refuse: (request: IncomingMessage) => Refusal | null
  /** Why a bearer token is not (or no longer) valid, or null when it is (or there is none). */
  invalidToken: (bearer: string | null) => string | null
  /** Authorises and opens one subscription for the holder of `bearer` (the Gateway). */
  subscribe: (
    stream: string,
    input: unknown,
    bearer: string | null,
    sink: StreamSink
  ) => Promise<Envelope<Subscription>>
  heartbeatMs?: number
  maxSubscriptions?: number
}

export interface StreamSockets {
  /** Sockets open now. */
  readonly size: number
  /** Stops every subscription and closes every socket (the host is closing). */
  close: () => Promise<void>
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required'
}

/** Answers an upgrade request with an ordinary HTTP error (an envelope) and drops the socket. */
function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = JSON.stringify({ ok: false, error: { code: refusal.code, message: refusal.message } })
  socket.end(
    `HTTP/1.1 ${refusal.status} ${statusText[refusal.status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}

/** A WebSocket close reason is at most 123 bytes. */
function closeReason(text: string): string {
  let reason = text
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -2) + '…'
  return reason
}

function offeredProtocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol']
  return typeof header === 'string' ? header.split(',').map((p) => p.trim()) : []
}

interface Peer {
  socket: WebSocket
  connection: StreamConnection
  bearer: string | null
  alive: boolean
}

/**
 * The web host's stream transport: one WebSocket per page at `/api/streams`, carrying every
 * subscription of the page (api/streams.ts describes the protocol). Chromium opens at most six
 * HTTP/1.1 connections per host, so a page's terminals and dashboard share this one socket.
 */
export function serveStreamSockets(options: StreamSocketOptions): StreamSockets {
  const heartbeatMs = options.heartbeatMs ?? streamLimits.heartbeatMs
  const peers = new Set<Peer>()
  const sockets = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: streamLimits.messageBytes,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(streamProtocol) ? streamProtocol : false)
  })

  options.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const path = (request.url ?? '').split('?')[0] ?? ''
    if (path !== streamPath) {
      return refuseUpgrade(socket, {
        status: 404,
        code: 'unknown_method',
        message: `no WebSocket at ${path.slice(0, 100)}; streams are at ${streamPath}`
      })
    }
    const refusal = options.refuse(request)
    if (refusal) return refuseUpgrade(socket, refusal)
    const protocols = offeredProtocols(request)
    if (!protocols.includes(streamProtocol)) {
      return refuseUpgrade(socket, {
        status: 400,
        code: 'invalid_input',
        message: `Sec-WebSocket-Protocol must offer ${streamProtocol}`
      })
    }
    const bearer = protocols.find((p) => p.startsWith(streamBearerPrefix))?.slice(streamBearerPrefix.length)
    sockets.handleUpgrade(request, socket, head, (ws) => accept(ws, bearer || null))
  })

  function accept(socket: WebSocket, bearer: string | null): void {
    const invalid = options.invalidToken(bearer)
    if (invalid !== null) {
      socket.close(streamCloseCodes.unauthorized, closeReason(invalid))
      return
    }
    const send = (message: StreamServerMessage): void => {
      if (socket.readyState !== socket.OPEN) return
      if (socket.bufferedAmount > streamLimits.bufferedBytes) {
        socket.close(1013, 'the client reads too slowly')
        return
      }
      socket.send(JSON.stringify(message))
    }
    const peer: Peer = {
      socket,
      bearer,
      alive: true,
      connection: new StreamConnection({
        open: (stream, input, sink) => options.subscribe(stream, input, bearer, sink),
        send,
        maxSubscriptions: options.maxSubscriptions ?? streamLimits.subscriptionsPerConnection
      })
    }
    peers.add(peer)
    socket.on('pong', () => (peer.alive = true))
    // Protocol errors (a message over the limit, a bad frame): ws closes the socket itself.
    socket.on('error', () => {})
    socket.on('close', () => {
      peers.delete(peer)
      peer.connection.close()
    })
    socket.on('message', (data: RawData, isBinary: boolean) => {
      let message: unknown
      try {
        if (isBinary) throw new Error('binary')
        message = JSON.parse(data.toString())
      } catch {
        socket.close(1008, 'messages are JSON text')
        return
      }
      const problem = peer.connection.receive(message)
      if (problem !== null) socket.close(1008, closeReason(problem))
    })
  }

  // One timer for all sockets: a socket that did not answer the last ping is gone; a token
  // revoked since (a closed class) closes its sockets.
  const heartbeat = setInterval(() => {
    for (const peer of [...peers]) {
      if (!peer.alive) {
        peers.delete(peer)
        peer.connection.close()
        peer.socket.terminate()
        continue
      }
      const invalid = options.invalidToken(peer.bearer)
      if (invalid !== null) {
        peers.delete(peer)
        peer.connection.close()
        peer.socket.close(streamCloseCodes.unauthorized, closeReason(invalid))
        continue
      }
      peer.alive = false
      peer.socket.ping()
    }
  }, heartbeatMs)
  heartbeat.unref()

  return {
    get size() {
      return peers.size
    },
    close: async () => {
      clearInterval(heartbeat)
      const closing = [...peers]
      peers.clear()
      const closed = closing.map(
        (peer) =>
          new Promise<void>((resolve) => {
            peer.connection.close()
            if (peer.socket.readyState === peer.socket.CLOSED) return resolve()
            peer.socket.once('close', () => resolve())
            peer.socket.close(1001, 'the host is closing')
          })
      )
      // A client that does not answer the closing handshake promptly is cut off.
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        Promise.all(closed),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 500)))
      ])
      clearTimeout(timer)
      for (const peer of closing) peer.socket.terminate()
      sockets.close()
    }
  }
}
