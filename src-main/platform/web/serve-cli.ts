import { existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createService } from '../../api/service.ts'
import { ApiError } from '../../api/envelope.ts'
import { Classroom } from '../../classroom/classroom.ts'
import { startClassroomHost, type ClassroomHostRun } from '../classroom-host.ts'
import { isLoopback, normalPublicHost, startWebHost } from './server.ts'

// Composition root of the web host: `npm run serve -- [--port N] [--host H] [--data-dir DIR] [--classroom]`.
// scripts/serve.mjs builds the app when needed (and takes --rebuild, --no-build) before this starts.

const usage = `usage: npm run serve -- [--port N] [--host ADDRESS] [--data-dir DIR] [--public-host NAME]... [--rotate-token]
                    [--classroom [--class CODE | --class-name NAME | --new-class] [--join-limit N] [--xapi-base IRI]] [--rebuild | --no-build]
  --public-host  another name browsers reach this host by (a DNS name, a reverse proxy's); repeatable.
                 Loopback, this machine's addresses and its host name (and <name>.local) are always served.
  --rotate-token replace the token kept in <data dir>/host-token: links handed out before stop working.
  --classroom    run a class: learners on the LAN join with a code (give --host <LAN address>).
                 Continues the class this host ran last while it is open (else the newest open one)
                 unless --new-class. The instructor link is written to <data dir>/instructor-link,
                 never printed, so the terminal can be projected.
  --class        continue the class with this join code, reopening it if it was closed.
  --join-limit   failed join attempts (a wrong class or seat code) allowed per address and minute; 10
                 unless given. Successful joins never count, so a room behind one NAT joins freely.
  --xapi-base    the course's IRI base for the class's xAPI statements (its activity ids), such as
                 https://courses.example.edu/podnet/: the same for every class of the course.
  --rebuild      build the app first even when out/ holds a build of the current sources
                 (without it, the app is built only when its sources changed since the last build).
  --no-build     serve out/ as it is, without looking at whether the sources changed.`

function fail(message: string): never {
  console.error(`podnet serve: ${message}\n${usage}`)
  process.exit(2)
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 4317
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    fail(`--port must be a number from 0 to 65535, not "${text}"`)
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
    class?: string
    'join-limit'?: string
    'xapi-base'?: string
    'public-host'?: string[]
    'rotate-token'?: boolean
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
        'join-limit': { type: 'string' },
        'xapi-base': { type: 'string' },
        class: { type: 'string' },
        'public-host': { type: 'string', multiple: true },
        'rotate-token': { type: 'boolean' },
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
  const publicHosts = values['public-host'] ?? []
  for (const name of publicHosts) {
    if (normalPublicHost(name) === null)
      fail(`--public-host takes a host name or address without scheme or path, not "${name}"`)
  }
  const joinLimit = values['join-limit']
  if (joinLimit !== undefined && !/^[1-9]\d{0,4}$/.test(joinLimit))
    fail(`--join-limit must be a whole number from 1 to 99999, not "${joinLimit}"`)
  const xapiBase = values['xapi-base']
  if (xapiBase !== undefined && !/^https?:\/\/[^/\s]+\/\S*$/.test(xapiBase))
    fail(`--xapi-base takes an http(s) IRI such as https://courses.example.edu/podnet/, not "${xapiBase}"`)
  const root = resolve(import.meta.dirname, '../../..')
  const dataDir = resolve(values['data-dir'] ?? join(homedir(), '.local', 'share', 'podnet-lab'))
  mkdirSync(dataDir, { recursive: true })
  const packsDir = join(dataDir, 'packs')
  const lessonsDir = join(root, 'lessons')
  const tokenFile = join(dataDir, 'host-token')
  // The build `npm run serve` made beside the renderer it serves: a bundled worker starts in a
  // third of the time and memory of one that compiles the TypeScript sources itself.
  const builtWorker = join(root, 'out', 'main', 'lab-worker.js')
  const service = createService({
    dataDir,
    lessonsDir,
    packsDir,
    version: (await import('../../../package.json', { with: { type: 'json' } })).default.version,
    ...(existsSync(builtWorker) ? { labs: { workerUrl: pathToFileURL(builtWorker) } } : {})
  })
  const rendererDir = join(root, 'out', 'renderer')
  const host = values.host ?? '127.0.0.1'
  const port = parsePort(values.port)
  let close: () => Promise<void>
  if (values.classroom) {
    if (service.store === null) fail('the progress store cannot be opened, so no class can run')
    let run: ClassroomHostRun
    try {
      run = await startClassroomHost({
        handlers: service.handlers,
        store: service.store,
        lessonDefinition: service.lessonDefinition,
        warmLabs: service.warmLabs,
        rendererDir,
        packsDir,
        lessonsDir,
        host,
        port,
        publicHosts,
        dataDir,
        rotateToken: values['rotate-token'] === true,
        ...(values['class-name'] !== undefined ? { className: values['class-name'] } : {}),
        ...(values['new-class'] ? { newClass: true } : {}),
        ...(joinLimit !== undefined ? { joinFailuresPerMinute: Number(joinLimit) } : {}),
        ...(xapiBase !== undefined ? { xapiIriBase: xapiBase } : {}),
        ...(values.class !== undefined ? { classCode: values.class } : {})
      })
    } catch (error) {
      if (error instanceof ApiError) fail(error.message)
      throw error
    }
    // This terminal may be on the projector: the token appears only in the private file.
    console.log(`Podnet Lab is running a class at ${run.origin}`)
    console.log(`Progress is saved in ${dataDir}`)
    console.log(
      `\nClass "${run.className}" (${run.classId}) is open${run.started ? ', started now' : ', continued'}.`
    )
    console.log(`  Learners open:   ${run.joinUrl}`)
    console.log(`  Join code:       ${run.joinCode}`)
    console.log(
      `  Instructor link: kept private in ${run.instructorLinkFile ?? ''} (open it on this computer)`
    )
    if (isLoopback(host))
      console.log('  (listening on loopback only: give --host <LAN address> so learners can reach it)')
    close = run.close
  } else {
    // Always there, so the app's instructor view can start a class; `--classroom` adds tokens on every call.
    const classroom = service.store
      ? new Classroom({
          store: service.store,
          handlers: service.handlers,
          lessonDefinition: service.lessonDefinition,
          packsDir,
          lessonsDir
        })
      : undefined
    const web = await startWebHost({
      handlers: service.handlers,
      streams: service.streams,
      rendererDir,
      host,
      port,
      publicHosts,
      tokenFile,
      rotateToken: values['rotate-token'] === true,
      ...(classroom ? { classroom } : {})
    })
    printRunning(web.url, dataDir, host)
    console.log(
      `The link carries this host's token (kept in ${tokenFile}; --rotate-token makes a new one): ` +
        'the app works only when opened with it.'
    )
    close = web.close
  }
  const stop = (): void => {
    void close().finally(() => {
      service.close()
      process.exit(0)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

function printRunning(url: string, dataDir: string, host: string): void {
  console.log(`Podnet Lab is running. Open ${url}`)
  console.log(`Progress is saved in ${dataDir}`)
  if (!isLoopback(host))
    console.log('This address is reachable from other machines: keep the token in the URL private.')
}

main().catch((error: unknown) => {
  console.error(`podnet serve: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
