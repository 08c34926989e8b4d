import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createService } from '../../api/service.ts'
import { startWebHost } from './server.ts'

// Composition root of the web host: `npm run serve -- [--port N] [--host H] [--data-dir DIR]`.

const usage = 'usage: npm run serve -- [--port N] [--host ADDRESS] [--data-dir DIR]'

function fail(message: string): never {
  console.error(`podnet serve: ${message}\n${usage}`)
  process.exit(2)
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 4317
  if (!/^\d+$/.test(text) || Number(text) > 65535) fail(`--port must be a number from 0 to 65535, not "${text}"`)
  return Number(text)
}

async function main(): Promise<void> {
  let values: { port?: string; host?: string; 'data-dir'?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }))
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
  if (values.help) {
    console.log(usage)
    return
  }
  const root = resolve(import.meta.dirname, '../../..')
  const dataDir = resolve(values['data-dir'] ?? join(homedir(), '.local', 'share', 'podnet-lab'))
  mkdirSync(dataDir, { recursive: true })
  const service = createService({
    dataDir,
    lessonsDir: join(root, 'lessons'),
    version: (await import('../../../package.json', { with: { type: 'json' } })).default.version
  })
  const host = await startWebHost({
    handlers: service.handlers,
    rendererDir: join(root, 'out', 'renderer'),
    host: values.host ?? '127.0.0.1',
    port: parsePort(values.port)
  })
  console.log(`Podnet Lab is running. Open ${host.url}`)
  console.log(`Progress is saved in ${dataDir}`)
  if (host.token) console.log('This address is reachable from other machines: the token in the URL is required.')
  const stop = (): void => {
    void host.close().finally(() => {
      service.close()
      process.exit(0)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(`podnet serve: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
