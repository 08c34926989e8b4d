// Sandboxed preload: bundled into one CommonJS file; it can reach only `electron`'s renderer
// modules. It exposes one function per contract method and `subscribe` for streams, and nothing
// else — never ipcRenderer, never the stream port itself.
import { contextBridge, ipcRenderer } from 'electron'
import type { PodnetBridge } from '../../api/contract.ts'
import type { ApiErrorBody, Envelope } from '../../api/envelope.ts'
import { methodNames, type MethodName } from '../../api/method-names.ts'
import type {
  StreamBridge,
  StreamClientMessage,
  StreamServerMessage,
  StreamSubscribe
} from '../../api/streams.ts'
import { streamPortChannel } from './stream-channel.ts'

function bridgeMethod(method: MethodName): (input: unknown) => Promise<Envelope<unknown>> {
  return (input) => ipcRenderer.invoke(method, input) as Promise<Envelope<unknown>>
}

const bridge = Object.fromEntries(methodNames.map((method) => [method, bridgeMethod(method)])) as PodnetBridge

interface Listener {
  onEvent: (event: unknown) => void
  onError: (error: ApiErrorBody) => void
  onEnd: (() => void) | undefined
}

// Every subscription of the window shares one MessagePort from main (api/streams.ts's protocol).
// It is asked for on the first subscribe; messages wait until it arrives.
let port: MessagePort | null = null
let waiting: StreamClientMessage[] | null = null
const listeners = new Map<string, Listener>()
let lastId = 0

function post(message: StreamClientMessage): void {
  if (port) return port.postMessage(message)
  if (waiting) return void waiting.push(message)
  waiting = [message]
  ipcRenderer.send(streamPortChannel)
}

function deliver(message: StreamServerMessage): void {
  const listener = listeners.get(message.id)
  if (!listener) return
  if ('event' in message) return listener.onEvent(message.event)
  listeners.delete(message.id)
  if ('error' in message) listener.onError(message.error)
  else listener.onEnd?.()
}

ipcRenderer.on(streamPortChannel, (event) => {
  const received = event.ports[0]
  if (!received || port) return
  port = received
  port.onmessage = (message: MessageEvent<StreamServerMessage>) => deliver(message.data)
  port.start()
  for (const message of waiting ?? []) port.postMessage(message)
  waiting = null
})

const subscribe: StreamSubscribe = (stream, input, onEvent, onError, onEnd) => {
  const id = String(++lastId)
  listeners.set(id, { onEvent: onEvent as (event: unknown) => void, onError, onEnd })
  post({ op: 'subscribe', id, stream, input })
  return () => {
    if (listeners.delete(id)) post({ op: 'unsubscribe', id })
  }
}

contextBridge.exposeInMainWorld('podnet', { ...bridge, subscribe } satisfies PodnetBridge & StreamBridge)
