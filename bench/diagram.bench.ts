import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { parseScenario } from '../src-main/core/scenario/parse-scenario.ts'
import { courseLessons } from '../test/e2e/course-driver.ts'
import { repoRoot } from '../test/e2e/harness.ts'
import { BrowserApp } from './browser-app.ts'
import type { Figure } from './figure.ts'

/** The user-timing measure `src-renderer/src/lib/diagram/layout.ts` leaves around every layout. */
const layoutMeasure = 'podnet:diagram-layout'
const canvas = '.topology svg.canvas'

interface ClusterSize {
  nodes: number
  pods: number
}

/** A scenario's size, read with the app's own parser, so a file past the scenario limits fails here. */
function clusterSize(file: string): ClusterSize {
  const parsed = parseScenario(readFileSync(file, 'utf8'), file)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return { nodes: parsed.scenario.nodes.length, pods: parsed.scenario.pods.length }
}

/** The course lesson whose cluster has the most nodes × pods: the most the drawing holds in a lesson. */
function largestLesson(): ClusterSize & { id: string } {
  const sizes = courseLessons().map(({ folder, lesson }) => ({
    id: lesson.id,
    ...clusterSize(join(repoRoot, 'lessons', folder, lesson.scenario))
  }))
  return sizes.reduce((a, b) => (b.nodes * b.pods > a.nodes * a.pods ? b : a))
}

/** The p-th percentile by nearest rank, so the value is one a frame really had. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

function median(values: number[]): number {
  return percentile(values, 50)
}

function layoutCount(page: Page): Promise<number> {
  return page.evaluate((name) => performance.getEntriesByName(name).length, layoutMeasure)
}

/** The duration of the first layout measured after the first `skip` ones, waiting for it. */
async function layoutAfter(page: Page, skip: number): Promise<number> {
  await page.waitForFunction(({ name, n }) => performance.getEntriesByName(name).length > n, {
    name: layoutMeasure,
    n: skip
  })
  return page.evaluate(({ name, n }) => performance.getEntriesByName(name)[n]!.duration, {
    name: layoutMeasure,
    n: skip
  })
}

/** Waits until the drawing holds `devices` devices: the whole cluster, not a partial first render. */
async function diagramDrawn(page: Page, devices: number): Promise<void> {
  await page.waitForFunction(
    ({ selector, n }) => document.querySelectorAll(`${selector} .device`).length >= n,
    { selector: canvas, n: devices }
  )
}

/** A settled drawing's device count, the yardstick every later sample waits for. */
async function settledDeviceCount(page: Page): Promise<number> {
  await page.locator(canvas).waitFor()
  await page.waitForLoadState('networkidle')
  const count = await page.locator(`${canvas} .device`).count()
  if (count === 0) throw new Error('the diagram drew no devices')
  return count
}

/**
 * Samples reopen a lesson the way a learner does, by way of the course list: the page, its code
 * and the host stay warm, the lesson's workspace and drawing are made anew.
 */
async function leaveLesson(page: Page): Promise<void> {
  await page.evaluate(() => (window.location.hash = '#/lessons'))
  await page.locator('.topology').waitFor({ state: 'detached' })
}

async function enterLesson(page: Page, lessonId: string): Promise<void> {
  await page.evaluate((id) => (window.location.hash = `#/lessons/${id}`), lessonId)
}

/** The app started with one page on a route: each figure's own, so none inherits another's state. */
class AppPage {
  readonly app = new BrowserApp()
  page!: Page
  #close!: () => Promise<void>

  async open(hash: string): Promise<void> {
    await this.app.start()
    ;({ page: this.page, close: this.#close } = await this.app.page())
    await this.page.goto(this.app.url(hash))
  }

  async teardown(): Promise<void> {
    await this.#close()
    await this.app.stop()
  }
}

const lesson = largestLesson()

/** The lesson's drawing laid out again on every reopen; each sample is the layout of one reopen. */
class LessonLayout extends AppPage {
  devices = 0
  layoutsPerOpen: number[] = []
  /** Layouts measured before the last reopen: what came after it is counted when the next begins. */
  #before: number | null = null

  async setup(): Promise<void> {
    // The first open builds the lab on the host and compiles the page's code: a warm-up.
    await this.open(`#/lessons/${lesson.id}`)
    this.devices = await settledDeviceCount(this.page)
  }

  async sample(): Promise<number> {
    const before = await this.countLayoutsOfLastOpen()
    await leaveLesson(this.page)
    await enterLesson(this.page, lesson.id)
    const duration = await layoutAfter(this.page, before)
    await diagramDrawn(this.page, this.devices)
    this.#before = before
    return duration
  }

  /** Counts the last reopen's layouts, a relayout after the drawing first showed included. */
  async countLayoutsOfLastOpen(): Promise<number> {
    const count = await layoutCount(this.page)
    if (this.#before !== null) this.layoutsPerOpen.push(count - this.#before)
    return count
  }

  override async teardown(): Promise<void> {
    await this.countLayoutsOfLastOpen()
    await super.teardown()
  }
}

const sandboxFile = join(import.meta.dirname, 'sandbox-20-nodes.yaml')
const sandboxSize = clusterSize(sandboxFile)

/** The sandbox with the learner's own 20-node file, opened again for every sample. */
class SandboxLayout extends AppPage {
  readonly scenario = readFileSync(sandboxFile)
  devices = 0
  folded: string[] = []

  async setup(): Promise<void> {
    if (sandboxSize.nodes !== 20) throw new Error(`${sandboxFile} has ${sandboxSize.nodes} nodes, not 20`)
    await this.open('#/sandbox')
    await this.openFile()
    this.devices = await settledDeviceCount(this.page)
    this.folded = await this.page.locator('.topology .collapsed text').allTextContents()
    this.checkFolded()
  }

  /** At 20 nodes the drawing must fold each node's pods past the cap into a "+N" box. */
  checkFolded(): void {
    const counts = this.folded.map((text) => Number(/^\+(\d+)$/.exec(text.trim())?.[1]))
    if (counts.length !== sandboxSize.nodes || !counts.every((n) => n > 0))
      throw new Error(
        `expected one "+N" box per node (${sandboxSize.nodes}), the drawing has: ${JSON.stringify(this.folded)}`
      )
  }

  /** The file chooser, as the learner uses it; every open builds the lab anew on the host. */
  async openFile(): Promise<void> {
    await this.page
      .locator('#sandbox-file')
      .setInputFiles({ name: 'sandbox-20-nodes.yaml', mimeType: 'application/yaml', buffer: this.scenario })
  }

  async sample(): Promise<number> {
    const before = await layoutCount(this.page)
    await this.openFile()
    const duration = await layoutAfter(this.page, before)
    await diagramDrawn(this.page, this.devices)
    return duration
  }
}

interface OpenTimes {
  /** The lesson's step can be acted on: as `app.navigation-to-first-lesson-interactive` defines it. */
  interactive: number
  /** The frame holding the whole drawing has been rendered. */
  drawn: number
}

/**
 * Watches, inside the page, for the lesson becoming interactive and for its drawing being on
 * screen. A MutationObserver sees each DOM change as it happens, so neither time carries the
 * delay of polling from the bench; "drawn" waits for the frame after the devices arrive to be
 * rendered (a message posted from requestAnimationFrame runs after that frame's paint).
 */
function watchLessonOpen(page: Page, devices: number): Promise<void> {
  return page.evaluate(
    ({ selector, n }) => {
      const times = { interactive: NaN, drawn: NaN }
      ;(window as unknown as { podnetOpen: typeof times }).podnetOpen = times
      let devicesIn = false
      // Inline callbacks only: tsx names function constants with a helper the page does not have.
      const observer = new MutationObserver(() => {
        const next = document.querySelector<HTMLButtonElement>('.step-actions button:not(.secondary)')
        if (
          Number.isNaN(times.interactive) &&
          document.querySelector('#step-title') !== null &&
          document.querySelector('.xterm-host .xterm-helper-textarea') !== null &&
          next !== null &&
          !next.disabled
        )
          times.interactive = performance.now()
        if (!devicesIn && document.querySelectorAll(`${selector} .device`).length >= n) {
          devicesIn = true
          requestAnimationFrame(() => {
            const channel = new MessageChannel()
            channel.port1.addEventListener('message', () => (times.drawn = performance.now()))
            channel.port1.start()
            channel.port2.postMessage(null)
          })
        }
        if (devicesIn && !Number.isNaN(times.interactive)) observer.disconnect()
      })
      observer.observe(document.body, { subtree: true, childList: true, attributes: true })
    },
    { selector: canvas, n: devices }
  )
}

async function openTimes(page: Page): Promise<OpenTimes> {
  const handle = await page.waitForFunction(() => {
    const times = (window as unknown as { podnetOpen: OpenTimes }).podnetOpen
    return !Number.isNaN(times.interactive) && !Number.isNaN(times.drawn) && times
  })
  return (await handle.jsonValue()) as OpenTimes
}

/** From the lesson being interactive to its drawing on screen, per reopen of the largest lesson. */
class LessonOpen extends AppPage {
  devices = 0
  /** drawn − interactive per sample, signed: below zero the drawing was there first. */
  gaps: number[] = []

  async setup(): Promise<void> {
    await this.open(`#/lessons/${lesson.id}`)
    this.devices = await settledDeviceCount(this.page)
  }

  /** A drawing already there when the lesson turns interactive keeps the learner waiting 0 ms. */
  async sample(): Promise<number> {
    await leaveLesson(this.page)
    await watchLessonOpen(this.page, this.devices)
    await enterLesson(this.page, lesson.id)
    const times = await openTimes(this.page)
    this.gaps.push(times.drawn - times.interactive)
    return Math.max(0, times.drawn - times.interactive)
  }
}

/** One event of Chromium's trace (the JSON trace format), only the fields read here. */
interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  ts: number
  dur?: number
  /** The thread's CPU time in the event, where `dur` is wall-clock time. */
  tdur?: number
  args?: {
    name?: string
    data?: { frames?: { processId: number; isOutermostMainFrame?: boolean }[] }
    frame_reporter?: { state?: string; frame_sequence?: number }
  }
}

/**
 * Categories of a DevTools performance recording, cut to what the figure reads: the main thread's
 * tasks, the compositor's frames and the page's user-timing mark. Fewer categories, less of the
 * trace's own overhead in the work measured.
 */
const traceCategories = [
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'blink.user_timing'
]
/** User-timing marks the bench puts in the page where playing starts and where it has played enough. */
const playMarks = { from: 'podnet-bench:play', to: 'podnet-bench:played' }

interface FrameWork {
  /** The main thread's CPU time in each animation frame, in ms. */
  cpu: number[]
  /** The same tasks' wall-clock time in each animation frame, in ms: with the machine's load in it. */
  wall: number[]
  dropped: number
}

interface Task {
  start: number
  end: number
  cpu: number
}

/** The renderer process of the page's main frame, as the browser announced it when tracing started. */
function pageRendererPid(events: TraceEvent[]): number {
  const started = events.filter((e) => e.name === 'TracingStartedInBrowser').at(-1)
  const frame =
    started?.args?.data?.frames?.find((f) => f.isOutermostMainFrame) ?? started?.args?.data?.frames?.[0]
  if (!frame) throw new Error('the trace names no page renderer (TracingStartedInBrowser)')
  return frame.processId
}

function threadId(events: TraceEvent[], pid: number, name: string): number {
  const thread = events.find((e) => e.name === 'thread_name' && e.pid === pid && e.args?.name === name)
  if (!thread) throw new Error(`the trace has no ${name} thread in process ${pid}`)
  return thread.tid
}

/** Tasks a run loop ran at its top level; a nested loop's tasks are already inside their parent's time. */
function topLevelTasks(events: TraceEvent[], pid: number, tid: number): Task[] {
  const tasks = events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === pid && e.tid === tid)
    // Without a thread time the wall-clock time stands in, which can only make the figure worse.
    .map((e) => ({ start: e.ts, end: e.ts + (e.dur ?? 0), cpu: e.tdur ?? e.dur ?? 0 }))
    .sort((a, b) => a.start - b.start)
  const outer: Task[] = []
  for (const task of tasks) if (task.start >= (outer.at(-1)?.end ?? -Infinity)) outer.push(task)
  return outer
}

/** The time of a user-timing mark the bench put in the page. */
function markTime(events: TraceEvent[], pid: number, name: string): number {
  const ts = events.find((e) => e.name === name && e.pid === pid)?.ts
  if (ts === undefined) throw new Error(`the trace has no ${name} mark`)
  return ts
}

/** A stretch of the main thread's tasks: CPU and wall-clock time inside it, in ms. */
function workBetween(tasks: Task[], start: number, end: number): { cpu: number; wall: number } {
  let [cpu, wall] = [0, 0]
  for (const t of tasks) {
    const overlap = Math.min(t.end, end) - Math.max(t.start, start)
    if (overlap <= 0) continue
    wall += overlap
    // A task cut by a frame boundary lends each side its CPU time in proportion.
    cpu += (t.cpu * overlap) / (t.end - t.start)
  }
  return { cpu: cpu / 1000, wall: wall / 1000 }
}

/** Chromium's own count: frames its PipelineReporter closed as STATE_DROPPED, each sequence once. */
function droppedFrames(events: TraceEvent[], pid: number, from: number, to: number): number {
  const dropped = events.filter(
    (e) =>
      e.name === 'PipelineReporter' &&
      e.ph === 'b' &&
      e.pid === pid &&
      e.ts >= from &&
      e.ts <= to &&
      e.args?.frame_reporter?.state === 'STATE_DROPPED'
  )
  return new Set(dropped.map((e) => e.args?.frame_reporter?.frame_sequence)).size
}

/**
 * Main-thread work per animation frame, from a Chromium trace. Why this way: the Long Animation
 * Frames API, which measures exactly this in the page, reports only frames past 50 ms, and
 * Chromium's per-frame records (PipelineReporter) say whether a frame was presented or dropped
 * but not how busy the main thread was for it. So the trace's main-thread frames
 * (BeginMainThreadFrame, each the start of a rendering update) cut the main thread's tasks into
 * animation frames as that API counts them: one update's style, layout and paint and the tasks
 * (timers, Svelte's updates) up to the next. The figure sums the thread's CPU time, not
 * wall-clock time: on a shared machine a task's wall-clock time also holds the spells the thread
 * was runnable while another process had the core, which is the neighbours' work, not the page's;
 * wall-clock time is reported beside it. The trace's own overhead makes the work a little larger
 * than untraced, so the figure errs on the pessimistic side.
 */
function frameWork(events: TraceEvent[]): FrameWork {
  const pid = pageRendererPid(events)
  const main = threadId(events, pid, 'CrRendererMain')
  const from = markTime(events, pid, playMarks.from)
  const to = markTime(events, pid, playMarks.to)
  const frames = events
    .filter((e) => e.name === 'BeginMainThreadFrame' && e.pid === pid && e.tid === main)
    .map((e) => e.ts)
    .filter((ts) => ts >= from && ts <= to)
    .sort((a, b) => a - b)
  if (frames.length < 2) throw new Error('the trace has no main-thread frames while the trace played')
  const tasks = topLevelTasks(events, pid, main)
  const work = frames.slice(1).map((end, i) => workBetween(tasks, frames[i]!, end))
  return {
    cpu: work.map((w) => w.cpu),
    wall: work.map((w) => w.wall),
    dropped: droppedFrames(events, pid, from, to)
  }
}

/**
 * A ClusterIP connection from the tour's client pod to the api Service, whose only endpoint is on
 * the other node: DNAT, VXLAN both ways and the SYN-ACK back make a long trace.
 */
const tourTrace = { lesson: 'tour', to: '10.96.0.120', protocol: 'tcp' }
/** Hops played per sample: at 4× (225 ms a hop) about 4.5 s, some 270 frames. */
const hopsToPlay = 20
/** Traced playbacks per figure. */
const playbackRuns = 3

/** The tour's long trace played at 4× under a Chromium trace, once per sample. */
class PlaybackFrames extends AppPage {
  runs: FrameWork[] = []

  async setup(): Promise<void> {
    await this.open(`#/lessons/${tourTrace.lesson}`)
    await this.page.locator(canvas).waitFor()
    // A first playback, untraced and shorter, so the samples run warm code.
    await this.play(hopsToPlay / 4)
  }

  /** Sends the trace anew (back to its first hop), plays it at 4× until `hops` hops have shown. */
  async play(hops: number): Promise<void> {
    const page = this.page
    await page.locator('#trace-to').fill(tourTrace.to)
    await page.locator('#trace-protocol').selectOption(tourTrace.protocol)
    await page.locator('form.trace-form button[type="submit"]').click()
    await page.waitForFunction(() =>
      /^\D*1\D+\d+/.test(document.querySelector('.stepper .position')?.textContent ?? '')
    )
    await page.locator('.stepper .controls select').selectOption('4')
    await page.evaluate((mark) => performance.mark(mark), playMarks.from)
    await page.locator('.stepper .controls').focus()
    await page.keyboard.press(' ')
    await page.waitForFunction(
      (hops) =>
        Number(/(\d+) of/.exec(document.querySelector('.stepper .position')?.textContent ?? '')?.[1]) > hops,
      hops,
      { timeout: 60_000 }
    )
    await page.evaluate((mark) => performance.mark(mark), playMarks.to)
    await page.keyboard.press(' ')
  }

  async sample(): Promise<number> {
    await this.app.browser.startTracing(this.page, { categories: traceCategories })
    await this.play(hopsToPlay)
    const trace = JSON.parse((await this.app.browser.stopTracing()).toString('utf8')) as {
      traceEvents: TraceEvent[]
    }
    const work = frameWork(trace.traceEvents)
    this.runs.push(work)
    return percentile(work.cpu, 95)
  }

  /**
   * Chromium's dropped-frame count of the traced playbacks: the frame-work figure's, or, where
   * that figure did not run (`--only dropped-frames`), as many traced here the same way.
   */
  async droppedFrames(): Promise<number> {
    if (this.runs.length === 0) {
      await this.setup()
      try {
        for (let i = 0; i < playbackRuns; i++) await this.sample()
      } finally {
        await this.teardown()
      }
    }
    return median(this.runs.map((r) => r.dropped))
  }

  details(): string[] {
    const ms = (values: number[], p: number): string => `${percentile(values, p).toFixed(1)} ms`
    return [
      `${hopsToPlay} hops of the tour's tcp trace to ${tourTrace.to} at 4×; main-thread CPU per frame, per sample:`,
      ...this.runs.map(
        (r) =>
          `  ${r.cpu.length} frames: median ${ms(r.cpu, 50)}, p95 ${ms(r.cpu, 95)}; ` +
          `wall-clock median ${ms(r.wall, 50)}, p95 ${ms(r.wall, 95)}`
      )
    ]
  }
}

const lessonLayout = new LessonLayout()
const sandboxLayout = new SandboxLayout()
const lessonOpen = new LessonOpen()
const playbackFrames = new PlaybackFrames()

const figures: Figure[] = [
  {
    name: 'diagram.layout-largest-lesson',
    unit: 'ms',
    target: '< 50 ms',
    runs: 5,
    setup: () => lessonLayout.setup(),
    sample: () => lessonLayout.sample(),
    details: () => [
      `lesson ${lesson.id}: ${lesson.nodes} nodes × ${lesson.pods} pods, ${lessonLayout.devices} devices drawn; ` +
        `layouts per open: ${lessonLayout.layoutsPerOpen.join(', ')}`
    ],
    teardown: () => lessonLayout.teardown()
  },
  {
    name: 'diagram.layout-20-node-sandbox',
    unit: 'ms',
    target: '< 300 ms',
    runs: 5,
    setup: () => sandboxLayout.setup(),
    sample: () => sandboxLayout.sample(),
    details: () => [
      `bench/sandbox-20-nodes.yaml: ${sandboxSize.nodes} nodes, ${sandboxSize.pods} pods, ${sandboxLayout.devices} devices drawn; ` +
        `folded per node: ${[...new Set(sandboxLayout.folded.map((t) => t.trim()))].join(', ')}`
    ],
    teardown: () => sandboxLayout.teardown()
  },
  {
    name: 'diagram.lesson-open-to-diagram-drawn',
    unit: 'ms',
    target: '< 300 ms',
    runs: 5,
    setup: () => lessonOpen.setup(),
    sample: () => lessonOpen.sample(),
    details: () => [
      `lesson ${lesson.id} reopened from the course list; drawn − interactive per sample (ms): ` +
        lessonOpen.gaps.map((g) => g.toFixed(1)).join(', ')
    ],
    teardown: () => lessonOpen.teardown()
  },
  {
    name: 'diagram.frame-work-at-4x-p95',
    unit: 'ms',
    target: '< 8 ms',
    runs: playbackRuns,
    setup: () => playbackFrames.setup(),
    sample: () => playbackFrames.sample(),
    details: () => playbackFrames.details(),
    teardown: () => playbackFrames.teardown()
  },
  {
    name: 'diagram.dropped-frames-at-4x',
    unit: 'frames',
    target: '0',
    // The playbacks traced for the figure above, counted once more rather than played again.
    runs: 1,
    sample: () => playbackFrames.droppedFrames(),
    details: () => [
      `dropped frames per traced playback: ${playbackFrames.runs.map((r) => r.dropped).join(', ')}`
    ]
  }
]

export default figures
