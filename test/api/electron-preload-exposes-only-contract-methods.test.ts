import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { describe, expect, test } from 'vitest'
import { methodNames } from '../../src-main/api/method-names.ts'
import { repoRoot } from '../e2e/harness.ts'

/**
 * Runs the built preload bundle as Electron would (CommonJS, sandboxed: only `electron` can be
 * required), with a recording stand-in for Electron's contextBridge and ipcRenderer, which are
 * not ours and cannot be loaded here without the Electron binary.
 */
function loadPreload(): { exposed: Map<string, unknown>; invoked: unknown[][]; required: string[] } {
  const exposed = new Map<string, unknown>()
  const invoked: unknown[][] = []
  const required: string[] = []
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
    ipcRenderer: {
      invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve({ ok: true, value: null }))
    }
  }
  const code = readFileSync(join(repoRoot, 'out', 'preload', 'preload.cjs'), 'utf8')
  const module = { exports: {} }
  const sandboxedRequire = (id: string): unknown => {
    required.push(id)
    if (id === 'electron') return electron
    throw new Error(`a sandboxed preload cannot require "${id}"`)
  }
  runInNewContext(code, { require: sandboxedRequire, module, exports: module.exports, Object, Promise })
  return { exposed, invoked, required }
}

describe('the Electron preload', () => {
  test('is one self-contained CommonJS file that requires nothing but electron', () => {
    const { required } = loadPreload()
    expect(new Set(required)).toEqual(new Set(['electron']))
  })

  test('exposes window.podnet with exactly the contract’s methods and nothing else', () => {
    const { exposed } = loadPreload()
    expect([...exposed.keys()]).toEqual(['podnet'])
    const bridge = exposed.get('podnet') as Record<string, unknown>
    expect(Object.keys(bridge).sort()).toEqual([...methodNames].sort())
    for (const name of methodNames) expect(typeof bridge[name]).toBe('function')
  })

  test('each method invokes its own channel with the input, never a caller-chosen one', async () => {
    const { exposed, invoked } = loadPreload()
    const bridge = exposed.get('podnet') as Record<string, (input: unknown) => Promise<unknown>>
    await bridge['lessons:list']!({})
    await bridge['profiles:create']!({ name: 'Ada' })
    expect(invoked).toEqual([
      ['lessons:list', {}],
      ['profiles:create', { name: 'Ada' }]
    ])
  })
})
