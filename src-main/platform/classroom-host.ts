import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import { join } from 'node:path'
import type { ClassHostStart, RunningClassHost } from '../api/class-host-contract.ts'
import {
  classHostMethodNames,
  type ClassHostAddress,
  type ClassHostLauncher
} from '../api/class-host-methods.ts'
import type { Handlers } from '../api/dispatch.ts'
import type { Service } from '../api/service.ts'
import { ApiError } from '../api/envelope.ts'
import { reason } from '../api/error-reasons.ts'
import { Classroom, type PackDialogs } from '../classroom/classroom.ts'
import type { ClassRecord } from '../store/classes.ts'
import { StoreError, type ProgressStore } from '../store/index.ts'
import { writePrivateFile } from './web/private-file.ts'
import { startWebHost } from './web/server.ts'

// Runs a class on the LAN: the web host in classroom mode plus the class learners join. Node only
// (no Electron), so `npm run serve -- --classroom` and the desktop app share it and tests run it.

/** The port a class host listens on unless told otherwise; `npm run serve` uses it too. */
export const defaultClassPort = 4317

/** `os.networkInterfaces()`'s shape; `family` was a number in Node 18.0–18.3. */
export type Interfaces = Record<
  string,
  readonly (Omit<NetworkInterfaceInfo, 'family'> & { family: string | number })[] | undefined
>

/**
 * The machine's IPv4 addresses other machines can reach, in the OS's order. IPv6 is left out on
 * purpose: learners type or scan the join URL, and a link-local IPv6 URL needs a zone id
 * browsers do not accept.
 */
export function lanIPv4Addresses(interfaces: Interfaces): ClassHostAddress[] {
  const found: ClassHostAddress[] = []
  for (const [name, entries] of Object.entries(interfaces)) {
    for (const entry of entries ?? []) {
      const ipv4 = entry.family === 'IPv4' || entry.family === 4
      if (ipv4 && !entry.internal && !found.some((f) => f.address === entry.address)) {
        found.push({ address: entry.address, interface: name, loopback: false })
      }
    }
  }
  return found
}

/** The LAN addresses, then loopback for a rehearsal on this computer alone. */
export function classHostAddresses(interfaces: Interfaces): ClassHostAddress[] {
  return [...lanIPv4Addresses(interfaces), { address: '127.0.0.1', interface: 'loopback', loopback: true }]
}

/** What a class host keeps in its data folder between starts. */
export const classHostFiles = {
  /** The instructor token (mode 0600): the same after a restart, so an open dashboard reconnects. */
  token: 'host-token',
  /** The instructor's link, token included (mode 0600): never printed, so the terminal can be projected. */
  instructorLink: 'instructor-link',
  /** The id of the class the host ran last, reopened by the next start. */
  lastClass: 'last-class'
} as const

export interface ClassroomHostOptions {
  handlers: Handlers
  store: ProgressStore
  lessonDefinition: Service['lessonDefinition']
  /**
   * Boots the lab workers as the host starts: a room of learners opens its lessons within a
   * second or two, and each open would otherwise wait for a worker to boot first.
   */
  warmLabs?: Service['warmLabs']
  /** The built renderer the learners' browsers load. */
  rendererDir: string
  packsDir: string
  /** The course's own lessons, which the instructor may export as a pack. */
  lessonsDir: string
  /** The desktop app's native file dialogs for lesson packs. */
  packDialogs?: PackDialogs
  host: string
  /** 0 picks a free port. */
  port: number
  className?: string
  /** Start a new class even when one is open; otherwise the newest open class continues. */
  newClass?: boolean
  /** Continue the class with this join code (`--class CODE`), reopening it if it was closed. */
  classCode?: string
  /** Reused across restarts of the listener, so the join rate limit and live dashboards carry on. */
  classroom?: Classroom
  /** Names learners reach the host by besides its addresses and host name (`--public-host`). */
  publicHosts?: readonly string[]
  /** Failed join attempts allowed per address and minute (`--join-limit`); the Classroom's default otherwise. */
  joinFailuresPerMinute?: number
  /** The course's IRI base for xAPI (`--xapi-base`). */
  xapiIriBase?: string
  /**
   * The host's data folder, for `classHostFiles`. Without it the token is new at every start and
   * the newest open class continues.
   */
  dataDir?: string
  /** Replace the kept instructor token: every instructor link handed out before stops working. */
  rotateToken?: boolean
}

export interface ClassroomHostRun {
  origin: string
  /** The host's own address with the instructor token, as `startWebHost` gives it. */
  url: string
  token: string
  /** Opens the instructor's pages; carries the token, so it stays on the instructor's machine. */
  instructorUrl: string
  joinUrl: string
  joinCode: string
  classId: string
  className: string
  /** Whether the class was started by this run rather than continued. */
  started: boolean
  /** Where the instructor link is kept, when the host has a data folder. */
  instructorLinkFile?: string
  close: () => Promise<void>
}

/**
 * The handlers a class host serves over HTTP: those of the app, except starting and stopping
 * class hosts, which only the desktop app's own window may do. Even the instructor token, sent in
 * the clear on the room's network, cannot move the listener elsewhere.
 */
function servedOverHttp(handlers: Handlers): Handlers {
  const refused = Object.fromEntries(
    classHostMethodNames.map((method) => [
      method,
      () => {
        throw new ApiError(
          'forbidden',
          `${method} is for the desktop app's own window; a class host does not serve it over HTTP`,
          { reason: reason('desktop_only', { method }) }
        )
      }
    ])
  )
  return { ...handlers, ...refused }
}

/** Starts the classroom-mode web host and opens (or continues) a class on it. */
export async function startClassroomHost(options: ClassroomHostOptions): Promise<ClassroomHostRun> {
  const classroom =
    options.classroom ??
    new Classroom({
      store: options.store,
      handlers: options.handlers,
      lessonDefinition: options.lessonDefinition,
      packsDir: options.packsDir,
      lessonsDir: options.lessonsDir,
      ...(options.packDialogs ? { packDialogs: options.packDialogs } : {}),
      ...(options.xapiIriBase !== undefined ? { xapiIriBase: options.xapiIriBase } : {}),
      ...(options.joinFailuresPerMinute !== undefined
        ? { joinLimit: { limit: options.joinFailuresPerMinute, windowMs: 60_000 } }
        : {})
    })
  const web = await startWebHost({
    handlers: servedOverHttp(options.handlers),
    rendererDir: options.rendererDir,
    host: options.host,
    port: options.port,
    classroom,
    classroomMode: true,
    ...(options.publicHosts ? { publicHosts: options.publicHosts } : {}),
    ...(options.dataDir !== undefined
      ? { tokenFile: join(options.dataDir, classHostFiles.token), rotateToken: options.rotateToken === true }
      : {})
  })
  options.warmLabs?.()
  try {
    const cls = await openClass(classroom, options)
    const { token } = web
    const instructorUrl = `${web.origin}/?token=${token}#/instructor`
    let instructorLinkFile: string | undefined
    if (options.dataDir !== undefined) {
      instructorLinkFile = join(options.dataDir, classHostFiles.instructorLink)
      writePrivateFile(instructorLinkFile, `${instructorUrl}\n`)
      writeFileSync(join(options.dataDir, classHostFiles.lastClass), `${cls.id}\n`)
    }
    return {
      origin: web.origin,
      url: web.url,
      token,
      instructorUrl,
      joinUrl: `${web.origin}/#/join?code=${cls.joinCode}`,
      joinCode: cls.joinCode,
      classId: cls.id,
      className: cls.name,
      started: cls.started,
      ...(instructorLinkFile !== undefined ? { instructorLinkFile } : {}),
      close: () => web.close()
    }
  } catch (error) {
    await web.close()
    throw error
  }
}

async function openClass(
  classroom: Classroom,
  options: ClassroomHostOptions
): Promise<{ id: string; name: string; joinCode: string; started: boolean }> {
  if (options.classCode !== undefined) {
    const code = options.classCode.trim().toUpperCase()
    const named = options.store.classes.byCode(code)
    if (!named)
      throw new ApiError('not_found', `class: no class on this computer has the join code ${code}`, {
        reason: reason('join_code_unknown', { code })
      })
    if (named.status === 'open') return { ...named, started: false }
    try {
      return { ...options.store.classes.reopen(named.id), started: false }
    } catch (error) {
      if (error instanceof StoreError && error.code === 'conflict')
        throw new ApiError('invalid_input', `class: ${error.message}`)
      throw error
    }
  }
  const open = options.newClass ? undefined : lastOpenClass(options.store, options.dataDir)
  if (open) return { ...open, started: false }
  const started = await classroom.call(
    'class:start',
    { name: options.className ?? `Workshop ${new Date().toISOString().slice(0, 10)}` },
    { kind: 'instructor' },
    '127.0.0.1'
  )
  if (!started.ok)
    throw new ApiError(
      started.error.code,
      `could not start the class: ${started.error.message}`,
      started.error
    )
  const value = started.value as { classId: string; name: string; joinCode: string }
  return { id: value.classId, name: value.name, joinCode: value.joinCode, started: true }
}

/**
 * The class this host ran last while it is open (another class may have been started since,
 * from the app, and still be open), else the newest open class.
 */
function lastOpenClass(store: ProgressStore, dataDir: string | undefined): ClassRecord | undefined {
  const lastFile = dataDir === undefined ? undefined : join(dataDir, classHostFiles.lastClass)
  if (lastFile !== undefined && existsSync(lastFile)) {
    const last = store.classes.get(readFileSync(lastFile, 'utf8').trim())
    if (last?.status === 'open') return last
  }
  return store.classes.list().find((c) => c.status === 'open')
}

/** Where the desktop app shows the instructor's pages; Electron's BrowserWindow behind it. */
export interface InstructorWindow {
  open: (host: RunningClassHost) => void
  close: () => void
}

export interface ClassHostLauncherOptions {
  /** The service the launcher serves; a getter, since the service is created with the launcher in it. */
  service: () => Pick<Service, 'handlers' | 'store' | 'lessonDefinition' | 'warmLabs'>
  rendererDir: string
  packsDir: string
  lessonsDir: string
  /** The app's native file dialogs, for importing and exporting lesson packs. */
  packDialogs?: PackDialogs
  instructorWindow?: InstructorWindow
  interfaces?: () => Interfaces
  /** When a start names no port; defaultClassPort unless a test needs any free one (0). */
  defaultPort?: number
  /** The app's data folder, where the class host keeps its token and the class it ran last. */
  dataDir?: string
}

/** Turns the listener's OS errors into words naming the field to change. */
function listenError(error: unknown, address: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'EADDRINUSE')
    return new ApiError(
      'invalid_input',
      `port: ${port} is already in use on ${address}; stop what uses it or pick another port`,
      { reason: reason('port_in_use', { port, address }) }
    )
  if (code === 'EADDRNOTAVAIL')
    return new ApiError(
      'invalid_input',
      `address: ${address} is no longer an address of this computer; pick one again`,
      { reason: reason('address_gone', { address }) }
    )
  if (code === 'EACCES')
    return new ApiError(
      'invalid_input',
      `port: this computer does not let the app listen on port ${port}; pick one above 1023`,
      { reason: reason('port_not_allowed', { port }) }
    )
  return error
}

/** The class host the desktop app injects into its service (ClassHostLauncher); one at a time. */
export function createClassHostLauncher(options: ClassHostLauncherOptions): ClassHostLauncher {
  const interfaces = options.interfaces ?? (() => networkInterfaces() as Interfaces)
  let running: { view: RunningClassHost; run: ClassroomHostRun; store: ProgressStore } | null = null
  let classroom: { store: ProgressStore; classroom: Classroom } | null = null
  // Start and stop run one after another: a double click must not leave two listeners behind.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work)
    queue = next.catch(() => undefined)
    return next
  }

  const stopRunning = async (): Promise<boolean> => {
    if (!running) return false
    const { run } = running
    running = null
    options.instructorWindow?.close()
    await run.close()
    return true
  }

  return {
    addresses: () => classHostAddresses(interfaces()),
    start: (request: ClassHostStart) =>
      serial(async () => {
        const { handlers, store, lessonDefinition, warmLabs } = options.service()
        if (!store)
          throw new ApiError(
            'store_unavailable',
            'the progress store cannot be opened, so no class can run',
            {
              reason: reason('store_io', {})
            }
          )
        if (classroom?.store !== store) {
          classroom = {
            store,
            classroom: new Classroom({
              store,
              handlers,
              lessonDefinition,
              packsDir: options.packsDir,
              lessonsDir: options.lessonsDir,
              ...(options.packDialogs ? { packDialogs: options.packDialogs } : {})
            })
          }
        }
        await stopRunning()
        const port = request.port ?? options.defaultPort ?? defaultClassPort
        let run: ClassroomHostRun
        try {
          run = await startClassroomHost({
            handlers,
            store,
            lessonDefinition,
            warmLabs,
            rendererDir: options.rendererDir,
            packsDir: options.packsDir,
            lessonsDir: options.lessonsDir,
            host: request.address,
            port,
            classroom: classroom.classroom,
            ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
            ...(request.className !== undefined ? { className: request.className } : {}),
            ...(request.newClass ? { newClass: true } : {})
          })
        } catch (error) {
          throw listenError(error, request.address, port)
        }
        const view: RunningClassHost = {
          address: request.address,
          origin: run.origin,
          port: Number(new URL(run.origin).port),
          classId: run.classId,
          className: run.className,
          joinCode: run.joinCode,
          joinUrl: run.joinUrl,
          classOpen: true,
          instructorUrl: run.instructorUrl
        }
        running = { view, run, store }
        options.instructorWindow?.open(view)
        return view
      }),
    // Read afresh: the instructor may have closed or deleted the class on the dashboard meanwhile.
    status: () =>
      running && {
        ...running.view,
        classOpen: running.store.classes.get(running.view.classId)?.status === 'open'
      },
    stop: () => serial(stopRunning),
    openDashboard: () => {
      if (!running) {
        throw new ApiError('not_found', 'no class host is running; start one first', {
          reason: reason('class_not_running', {})
        })
      }
      if (!options.instructorWindow)
        throw new ApiError('unknown_method', 'this app has no window to open the instructor dashboard in')
      options.instructorWindow.open(running.view)
    }
  }
}
