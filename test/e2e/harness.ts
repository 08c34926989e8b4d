import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import axe from 'axe-core'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { Classroom } from '../../src-main/classroom/classroom.ts'
import { startWebHost, type WebHost } from '../../src-main/platform/web/server.ts'

export const repoRoot = resolve(import.meta.dirname, '../..')
export const chromiumPath = '/usr/bin/chromium'
export const rendererDir = join(repoRoot, 'out', 'renderer')

/**
 * Why end-to-end tests cannot run here, or null when they can. On CI (CI=true) a missing Chromium
 * or renderer build is a failure, not a skip: a green run that drove no browser proves nothing.
 */
export function e2eUnavailable(): string | null {
  const missing = !existsSync(chromiumPath)
    ? `Chromium is not installed at ${chromiumPath} (apt-get install -y chromium)`
    : !existsSync(join(rendererDir, 'index.html'))
      ? 'the renderer is not built (npm run build)'
      : null
  if (missing && process.env['CI'] === 'true')
    throw new Error(`end-to-end tests must run on CI, but ${missing}`)
  if (missing) console.warn(`SKIPPING end-to-end tests: ${missing}`)
  return missing
}

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  // A throwaway HOME/XDG so Chromium writes no profile, cache or crash dumps outside the test.
  const home = mkdtempSync(join(tmpdir(), 'podnet-chromium-'))
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ],
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local', 'share')
    }
  })
  return {
    browser,
    close: async () => {
      await browser.close()
      rmSync(home, { recursive: true, force: true })
    }
  }
}

export interface RunningHost {
  host: WebHost
  service: Service
  /** The class host's classroom, in classroom mode. */
  classroom: Classroom | null
  stop: () => Promise<void>
}

/** `classroomNow`: the classroom's clock, for a test that moves presence and stuck time on without waiting. */
export interface HostOptions {
  classroom?: boolean
  classroomNow?: () => number
}

/**
 * The web host over a real service, as `npm run serve` starts it; with `classroom`, in classroom
 * mode, where learners join with a code and call with their own tokens (no class is opened).
 * `port` (default: any free one) lets a test restart a host where its pages expect it: the same
 * port and data folder, hence the same token and saved progress.
 */
export async function startHost(
  dataDir: string,
  options: HostOptions & { port?: number } = {}
): Promise<RunningHost> {
  const packsDir = join(dataDir, 'packs')
  const service = createService({
    dataDir,
    lessonsDir: join(repoRoot, 'lessons'),
    ...(options.classroom ? { packsDir } : {}),
    version: 'test'
  })
  const classroom = options.classroom
    ? new Classroom({
        store: service.store!,
        handlers: service.handlers,
        lessonDefinition: service.lessonDefinition,
        packsDir,
        lessonsDir: join(repoRoot, 'lessons'),
        xapiIriBase: 'https://courses.example.edu/podnet/',
        ...(options.classroomNow ? { now: options.classroomNow } : {})
      })
    : null
  const host = await startWebHost({
    handlers: service.handlers,
    streams: service.streams,
    rendererDir,
    port: options.port ?? 0,
    ...(classroom
      ? { classroom, classroomMode: true }
      : // The token is kept in the data folder; pages open `host.url`, which carries it.
        { tokenFile: join(dataDir, 'host-token') })
  })
  return {
    host,
    service,
    classroom,
    stop: async () => {
      await host.close()
      service.close()
    }
  }
}

/** What a suite of `withHostAndBrowser` works with; read it inside tests and hooks, once it is set up. */
export interface HostAndBrowser {
  readonly browser: Browser
  readonly host: WebHost
  readonly service: Service
  /** The class host's classroom (classroom mode only): a test calls its `tick` after moving its clock. */
  readonly classroom: Classroom
  /** `offlineContext` on this suite's browser, for this suite's host (the current one after a restart). */
  offlineContext(options?: Parameters<typeof offlineContext>[2]): ReturnType<typeof offlineContext>
  /**
   * Stops the host, runs `whileDown`, and starts a new one on the same data folder and port, as
   * an app restart does: open pages keep their link, learners their progress.
   */
  restartHost(whileDown?: () => Promise<void>): Promise<void>
}

/**
 * One Chromium and one host on a fresh data folder for the calling `describe`, started before
 * its tests and closed, with the folder removed, after them.
 */
export function withHostAndBrowser(dataDirPrefix: string, options: HostOptions = {}): HostAndBrowser {
  let data: ReturnType<typeof tempDir> | undefined
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined
  let running: RunningHost | undefined
  // Kept while the host is down between a stop and a restart (same port, same origin), so the
  // contexts' routing still tells the app's own requests from foreign ones.
  let origin = ''
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what}: use it inside a test or hook, while the host runs`)
    return value
  }

  beforeAll(async () => {
    data = tempDir(dataDirPrefix)
    chromium = await launchChromium()
    running = await startHost(data.path, options)
    origin = running.host.origin
  })

  afterAll(async () => {
    await running?.stop()
    await chromium?.close()
    data?.remove()
  })

  const fixture: HostAndBrowser = {
    get browser() {
      return started(chromium, 'browser').browser
    },
    get host() {
      return started(running, 'host').host
    },
    get service() {
      return started(running, 'host').service
    },
    get classroom() {
      return started(started(running, 'host').classroom ?? undefined, 'classroom')
    },
    offlineContext: (contextOptions) => offlineContext(fixture.browser, () => origin, contextOptions),
    restartHost: async (whileDown) => {
      const port = Number(new URL(origin).port)
      const stopping = started(running, 'host')
      running = undefined
      await stopping.stop()
      await whileDown?.()
      running = await startHost(started(data, 'data folder').path, { ...options, port })
    }
  }
  return fixture
}

type LearnerSettings = Parameters<Service['handlers']['settings:set']>[0]['settings']

/** A new learner named `name`, made the selected one, with `settings` saved when given; its id. */
export async function selectedLearner(
  service: Service,
  name: string,
  settings?: LearnerSettings
): Promise<string> {
  const { id: learnerId } = await service.handlers['profiles:create']({ name })
  await service.handlers['profiles:select']({ learnerId })
  if (settings) await service.handlers['settings:set']({ learnerId, settings })
  return learnerId
}

/**
 * A browser context that aborts and counts every request not addressed to the local host:
 * the app must work fully offline, so the count must stay 0.
 */
export async function offlineContext(
  browser: Browser,
  origin: () => string,
  options: { colorScheme?: 'light' | 'dark'; locale?: string } = {}
): Promise<{ context: BrowserContext; foreignRequests: string[] }> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-US',
    viewport: { width: 1280, height: 860 }
  })
  const foreignRequests: string[] = []
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    if (url.startsWith(origin()) || url.startsWith('data:')) await route.continue()
    else {
      foreignRequests.push(url)
      await route.abort()
    }
  })
  return { context, foreignRequests }
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: number
}

/**
 * Runs axe-core in the page. Injected through the DevTools protocol (evaluate), not a script tag,
 * so the page's CSP stays as strict as in production.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axe.source)
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      resultTypes: ['violations']
    })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.length
    }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/**
 * `expect.poll` with room to spare: two cores shared with other work, so give the live views time
 * to catch up; the test still fails at the step that broke.
 */
export const poll = <T>(read: () => T | Promise<T>): ReturnType<typeof expect.poll<T>> =>
  expect.poll(read, { timeout: 20_000, interval: 100 })

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
