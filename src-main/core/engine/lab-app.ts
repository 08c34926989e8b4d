import type { Socket } from '../linux/netns.ts'

/**
 * What the lab's apps write back on a TCP connection. The real counterpart is LAB_APP_PY in
 * scenario/export-lab.ts, which `podnet export-lab` starts in real namespaces: the http app
 * reads up to the blank line that ends the request, answers with its pod name and closes; the
 * echo app writes back what it reads and closes when the client has.
 */
export function appAnswer(
  socket: Socket | undefined,
  request: string
): { data: string; serverClosesFirst: boolean } {
  if (socket?.app === 'http' && request.includes('\r\n\r\n')) {
    const body = `${socket.reply}\n`
    const head = [
      'HTTP/1.1 200 OK',
      'Content-Type: text/plain',
      `Content-Length: ${new TextEncoder().encode(body).length}`,
      'Connection: close'
    ]
    return { data: `${head.join('\r\n')}\r\n\r\n${body}`, serverClosesFirst: true }
  }
  if (socket?.app === 'tcp-echo') return { data: request, serverClosesFirst: false }
  return { data: '', serverClosesFirst: false }
}
