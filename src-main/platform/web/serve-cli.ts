import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createService } from '../../api/service.ts'
import { Classroom } from '../../classroom/classroom.ts'
import { isLoopback, startWebHost } from './server.ts'

// Composition root of the web host: `npm run serve -- [--port N] [--host H] [--data-dir DIR] [--classroom]`.

const usage = `usage: npm run serve -- [--port N] [--host ADDRESS] [--data-dir DIR] [--classroom [--class-name NAME] [--new-class]]
  --classroom   run a class: learners on the LAN join with a code (give --host <LAN address>);
                every call then needs a token. Reuses the newest open class unless --new-class.`

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
  let values: {
    port?: string
    host?: string
    'data-dir'?: string
    classroom?: boolean
    'class-name'?: string
    'new-class'?: boolean
    help?: boolean
  }
  try {
    ;({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        classroom: { type: 'boolean' },
        'class-name': { type: 'string' },
        'new-class': { type: 'boolean' },
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
    packsDir: join(dataDir, 'packs'),
    version: (await import('../../../package.json', { with: { type: 'json' } })).default.version
  })
  if (values.classroom && service.store === null) fail('the progress store cannot be opened, so no class can run')
  // Always there, so the app's instructor view can start a class; `--classroom` adds tokens on every call.
  const classroom = service.store
    ? new Classroom({ store: service.store, handlers: service.handlers, packsDir: join(dataDir, 'packs') })
    : undefined
  const host = await startWebHost({
    handlers: service.handlers,
    rendererDir: join(root, 'out', 'renderer'),
    host: values.host ?? '127.0.0.1',
    port: parsePort(values.port),
    ...(classroom ? { classroom, classroomMode: values.classroom === true } : {})
  })
  console.log(`Podnet Lab is running. Open ${host.url}`)
  console.log(`Progress is saved in ${dataDir}`)
  if (host.token) console.log('This address is reachable from other machines: the token in the URL is required.')
  if (values.classroom && classroom && service.store) {
    const open = values['new-class'] ? undefined : service.store.classes.list().find((c) => c.status === 'open')
    const cls = open ?? (await startClass(classroom, values['class-name']))
    const joinUrl = `${host.origin}/#/join?code=${cls.joinCode}`
    console.log(`\nClass "${cls.name}" (${cls.id}) is open.`)
    console.log(`  Instructor (keep private): ${host.origin}/?token=${host.token ?? ''}#/instructor`)
    console.log(`  Learners open:             ${joinUrl}`)
    console.log(`  Join code:                 ${cls.joinCode}`)
    if (isLoopback(values.host ?? '127.0.0.1')) console.log('  (listening on loopback only: give --host <LAN address> so learners can reach it)')
  }
  const stop = (): void => {
    void host.close().finally(() => {
      service.close()
      process.exit(0)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

async function startClass(classroom: Classroom, name: string | undefined): Promise<{ id: string; name: string; joinCode: string }> {
  const started = await classroom.call(
    'class:start',
    { name: name ?? `Workshop ${new Date().toISOString().slice(0, 10)}` },
    { kind: 'instructor' },
    '127.0.0.1'
  )
  if (!started.ok) fail(`could not start the class: ${started.error.message}`)
  const value = started.value as { classId: string; name: string; joinCode: string }
  return { id: value.classId, name: value.name, joinCode: value.joinCode }
}

main().catch((error: unknown) => {
  console.error(`podnet serve: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
