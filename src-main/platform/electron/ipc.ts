import {
  ipcMain,
  MessageChannelMain,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type WebContents
} from 'electron'
import { dispatch, type Handlers } from '../../api/dispatch.ts'
import type { Envelope } from '../../api/envelope.ts'
import { methodNames } from '../../api/method-names.ts'
import { openStream, StreamConnection } from '../../api/stream-dispatch.ts'
import type { StreamHandlers } from '../../api/streams.ts'
import { streamPortChannel } from './stream-channel.ts'
import { isTrustedSenderUrl } from './trusted-sender.ts'

/**
 * Why IPC from this sender is refused, or null: only the app's main window, its top frame, loaded
 * from `app://podnet/` or the dev server, is answered.
 */
function untrustedSender(
  event: IpcMainEvent | IpcMainInvokeEvent,
  window: () => WebContents | null,
  rendererUrl: string
): string | null {
  const frameUrl = event.senderFrame?.url ?? ''
  if (event.sender !== window() || event.senderFrame?.parent || !isTrustedSenderUrl(frameUrl, rendererUrl))
    return `IPC from an untrusted frame: ${frameUrl}`
  return null
}

/** One `ipcMain.handle` per contract method; each checks its sender before validating input. */
export function registerIpc(handlers: Handlers, window: () => WebContents | null, rendererUrl: string): void {
  for (const method of methodNames) {
    ipcMain.handle(method, async (event: IpcMainInvokeEvent, input: unknown): Promise<Envelope<unknown>> => {
      const untrusted = untrustedSender(event, window, rendererUrl)
      if (untrusted !== null) return { ok: false, error: { code: 'unauthorized', message: untrusted } }
      return dispatch(handlers, method, input)
    })
  }
}

/**
 * Streams over IPC: the window's preload asks once for a port; main answers with one end of a
 * MessageChannelMain and serves the other with the same StreamConnection as the web host's
 * sockets (api/streams.ts's protocol, the same validation). A reload or a closed window
 * disconnects the port, which stops every subscription it held; a second request replaces the
 * first port.
 */
export function registerStreams(
  streams: StreamHandlers,
  window: () => WebContents | null,
  rendererUrl: string
): void {
  const open = new Map<WebContents, () => void>()
  const watched = new WeakSet<WebContents>()
  ipcMain.on(streamPortChannel, (event: IpcMainEvent) => {
    if (untrustedSender(event, window, rendererUrl) !== null) return
    const contents = event.sender
    open.get(contents)?.()
    const { port1: ours, port2: theirs } = new MessageChannelMain()
    const connection = new StreamConnection({
      open: (stream, input, sink) => openStream(streams, stream, input, sink),
      send: (message) => ours.postMessage(message)
    })
    let closed = false
    const close = (): void => {
      if (closed) return
      closed = true
      connection.close()
      ours.close()
      if (open.get(contents) === close) open.delete(contents)
    }
    if (!watched.has(contents)) {
      watched.add(contents)
      contents.once('destroyed', () => open.get(contents)?.())
    }
    open.set(contents, close)
    ours.on('message', ({ data }) => {
      if (connection.receive(data) !== null) close()
    })
    ours.on('close', close)
    ours.start()
    contents.postMessage(streamPortChannel, null, [theirs])
  })
}
