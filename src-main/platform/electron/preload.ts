// Sandboxed preload: bundled into one CommonJS file; it can reach only `electron`'s renderer
// modules. It exposes one function per contract method and nothing else — never ipcRenderer.
import { contextBridge, ipcRenderer } from 'electron'
import type { PodnetBridge } from '../../api/contract.ts'
import type { Envelope } from '../../api/envelope.ts'
import { methodNames, type MethodName } from '../../api/method-names.ts'

function bridgeMethod(method: MethodName): (input: unknown) => Promise<Envelope<unknown>> {
  return (input) => ipcRenderer.invoke(method, input) as Promise<Envelope<unknown>>
}

const bridge = Object.fromEntries(methodNames.map((method) => [method, bridgeMethod(method)])) as PodnetBridge

contextBridge.exposeInMainWorld('podnet', bridge)
