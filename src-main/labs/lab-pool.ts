import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { ApiError } from '../api/envelope.ts'
import type {
  LabOp,
  LabReplies,
  LabRequest,
  OpenRequest,
  PositionedEntry,
  RequestMessage,
  TerminalEvent,
  WorkerMessage
} from './protocol.ts'

/**
 * Labs run in a small pool of worker threads, never on the host's own thread: a learner's slow
 * command then stops one worker, which the pool replaces, while every other learner's call goes
 * on. A worker costs ~20 MB and a lab ~90 KB, so labs share workers (about one worker per core)
 * and the least recently used labs are closed once a worker holds many; the host rebuilds any
 * lab from its journal when it is needed again.
 */

export interface LabPoolOptions {
  /** Worker threads; defaults to one per core, at least two. */
  size?: number
  /** Time one request may run once a worker has taken it, in ms. */
  budgetMs?: number
  /** The V8 old-generation limit of each worker, in MB. */
  memoryMb?: number
  /** Open labs a worker keeps before closing the least recently used. */
  labsPerWorker?: number
  /** Labs unused this long are closed, in ms. */
  idleMs?: number
  /** A built worker script (the Electron build); otherwise the TypeScript sources run through tsx. */
  workerUrl?: URL
}

export const defaultLabBudgetMs = 5_000
const defaultMemoryMb = 512
const defaultLabsPerWorker = 120
const defaultIdleMs = 30 * 60_000

/** Why a request was stopped, and what it was running when it was. */
export class LabStopped extends ApiError {
  readonly stoppedBy: 'budget' | 'memory' | 'crash'
  /** The journaled command or trace running at the time, if one was. */
  readonly running: { labKey: string; entry: PositionedEntry } | undefined
  /** True when the stop came while the lab was being rebuilt for the request. */
  readonly duringReopen: boolean
  readonly budgetMs: number

  constructor(
    reason: LabStopped['stoppedBy'],
    running: LabStopped['running'],
    duringReopen: boolean,
    budgetMs: number
  ) {
    const what = running?.entry.entry.kind === 'exec' ? `"${running.entry.entry.line}"` : 'the request'
    super(
      'lab_stopped',
      reason === 'budget'
        ? `stopped after ${budgetMs / 1000} s: ${what} would have taken too long`
        : reason === 'memory'
          ? `stopped: ${what} needed more memory than a lab may use`
          : `stopped: the lab's worker ended while running ${what}`
    )
    this.stoppedBy = reason
    this.running = running
    this.duringReopen = duringReopen
    this.budgetMs = budgetMs
  }
}

/** How to bring a lab back in a worker that does not hold it, and what to do with the result. */
export interface Reopen {
  request: OpenRequest
  opened: (value: unknown) => void
}

interface Pending {
  id: number
  request: LabRequest
  resolve: (value: unknown) => void
  reject: (error: Error) => void
  isReopen: boolean
}

interface Slot {
  worker: Worker
  /** Requests posted to this worker, in the order it takes them. */
  pending: Map<number, Pending>
  running: Map<number, { labKey: string; entry: PositionedEntry }>
  timer: ReturnType<typeof setTimeout> | undefined
  /** Labs placed here, by last use. */
  labs: Map<string, number>
  dead: boolean
}

function workerSource(built: URL | undefined): { url: URL; workerData: unknown } {
  if (built) return { url: built, workerData: null }
  return {
    url: new URL('./ts-worker-boot.mjs', import.meta.url),
    workerData: { entry: new URL('./lab-worker.ts', import.meta.url).href }
  }
}

export class LabPool {
  readonly budgetMs: number
  readonly #size: number
  readonly #memoryMb: number
  readonly #labsPerWorker: number
  readonly #idleMs: number
  readonly #workerUrl: URL | undefined
  readonly #slots: Slot[] = []
  readonly #placement = new Map<string, Slot>()
  #nextId = 1
  #closed = false
  #sweeper: ReturnType<typeof setInterval> | undefined
  /** Who hears each live terminal's output, and the lab it runs in. */
  readonly #terminals = new Map<string, { labKey: string; listener: (event: TerminalEvent) => void }>()
  /** Replaced workers since the pool started (for the bench and the About page). */
  restarts = 0

  constructor(options: LabPoolOptions = {}) {
    this.#size = options.size ?? Math.max(2, availableParallelism())
    this.budgetMs = options.budgetMs ?? defaultLabBudgetMs
    this.#memoryMb = options.memoryMb ?? defaultMemoryMb
    this.#labsPerWorker = options.labsPerWorker ?? defaultLabsPerWorker
    this.#idleMs = options.idleMs ?? defaultIdleMs
    this.#workerUrl = options.workerUrl
  }

  /**
   * Runs one request on the lab's worker. A lab the worker does not hold (first use, closed as
   * idle, or its worker replaced) is reopened first with `reopen`.
   */
  async call<O extends LabOp>(
    request: Extract<LabRequest, { op: O }>,
    reopen: () => Reopen
  ): Promise<LabReplies[O]> {
    if (this.#closed) throw new ApiError('internal', 'the lab pool is closed')
    const slot = this.#slotFor(request.labKey)
    slot.labs.set(request.labKey, Date.now())
    const first = await this.#post(slot, request, false)
    if (first.missing !== true) return first.value as LabReplies[O]
    const { request: open, opened } = reopen()
    const reopened = await this.#post(this.#slotFor(request.labKey), open, true)
    if (reopened.missing !== true) opened(reopened.value)
    const again = await this.#post(this.#slotFor(request.labKey), request, false)
    if (again.missing === true)
      throw new ApiError('internal', `lab ${request.labKey} vanished while it was reopened`)
    this.#evictBeyondCapacity(this.#slotFor(request.labKey))
    return again.value as LabReplies[O]
  }

  /** Starts every worker now, so the first labs do not wait for a worker to boot. */
  warm(): void {
    if (this.#closed) return
    while (this.#slots.length < this.#size) this.#slots.push(this.#spawn())
  }

  /** Closes a lab wherever it is; the next call reopens it. */
  close(labKey: string): void {
    const slot = this.#placement.get(labKey)
    if (!slot) return
    this.#placement.delete(labKey)
    slot.labs.delete(labKey)
    if (!slot.dead) void this.#post(slot, { op: 'lab.close', labKey }, false).catch(() => undefined)
  }

  /**
   * Hear a live terminal's output as its worker sends it; `closed` comes when its lab goes away,
   * its worker replaced included. Returns the stop.
   */
  listen(terminalId: string, labKey: string, listener: (event: TerminalEvent) => void): () => void {
    this.#terminals.set(terminalId, { labKey, listener })
    return () => {
      this.#terminals.delete(terminalId)
      const slot = this.#placement.get(labKey)
      if (slot && !slot.dead)
        void this.#post(slot, { op: 'terminal.close', labKey, terminalId }, false).catch(() => undefined)
    }
  }

  /** Labs open per worker, for the bench. */
  get labsPerSlot(): number[] {
    return this.#slots.map((s) => s.labs.size)
  }

  async destroy(): Promise<void> {
    this.#closed = true
    if (this.#sweeper) clearInterval(this.#sweeper)
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.dead = true
        if (slot.timer) clearTimeout(slot.timer)
        for (const p of slot.pending.values()) p.reject(new ApiError('internal', 'the lab pool was closed'))
        await slot.worker.terminate()
      })
    )
    this.#slots.length = 0
  }

  #slotFor(labKey: string): Slot {
    const placed = this.#placement.get(labKey)
    if (placed && !placed.dead) return placed
    if (this.#slots.length < this.#size) this.#slots.push(this.#spawn())
    const slot = this.#slots.reduce((a, b) => (b.labs.size < a.labs.size ? b : a))
    this.#placement.set(labKey, slot)
    return slot
  }

  #spawn(): Slot {
    const { url, workerData } = workerSource(this.#workerUrl)
    const worker = new Worker(url, {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.#memoryMb },
      stdout: false,
      stderr: false
    })
    worker.unref()
    const slot: Slot = {
      worker,
      pending: new Map(),
      running: new Map(),
      timer: undefined,
      labs: new Map(),
      dead: false
    }
    worker.on('message', (message: WorkerMessage) => this.#onMessage(slot, message))
    worker.on('error', (error: Error & { code?: string }) =>
      this.#replace(slot, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash')
    )
    worker.on('exit', () => {
      if (!slot.dead && !this.#closed) this.#replace(slot, 'crash')
    })
    if (!this.#sweeper) {
      this.#sweeper = setInterval(() => this.#evictIdle(), Math.min(this.#idleMs, 60_000))
      this.#sweeper.unref()
    }
    return slot
  }

  #post(slot: Slot, request: LabRequest, isReopen: boolean): Promise<{ missing?: true; value?: unknown }> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++
      slot.pending.set(id, { id, request, resolve: resolve as (v: unknown) => void, reject, isReopen })
      slot.worker.postMessage({ id, request } satisfies RequestMessage)
    })
  }

  #onMessage(slot: Slot, message: WorkerMessage): void {
    if (slot.dead) return
    switch (message.type) {
      case 'started':
        if (slot.timer) clearTimeout(slot.timer)
        slot.timer = setTimeout(() => this.#replace(slot, 'budget', message.id), this.budgetMs)
        return
      case 'running':
        slot.running.set(message.id, { labKey: message.labKey, entry: message.entry })
        return
      case 'terminal':
        this.#terminals.get(message.terminalId)?.listener(message.event)
        return
      default: {
        if (slot.timer) clearTimeout(slot.timer)
        slot.timer = undefined
        slot.running.delete(message.id)
        const pending = slot.pending.get(message.id)
        if (!pending) return
        slot.pending.delete(message.id)
        if (message.type === 'done') pending.resolve({ value: message.value })
        else if (message.type === 'missing') pending.resolve({ missing: true })
        else pending.reject(new ApiError(message.error.code, message.error.message, message.error))
      }
    }
  }

  /**
   * Terminates a worker that overran or died, fails the request it was running, and re-posts
   * the requests still queued behind it to a fresh worker (which reopens their labs).
   */
  #replace(slot: Slot, reason: LabStopped['stoppedBy'], runningId?: number): void {
    if (slot.dead) return
    slot.dead = true
    this.restarts++
    if (slot.timer) clearTimeout(slot.timer)
    void slot.worker.terminate()
    const index = this.#slots.indexOf(slot)
    if (index >= 0) this.#slots.splice(index, 1)
    for (const labKey of slot.labs.keys()) this.#placement.delete(labKey)
    // The worker's captures died with it; their terminals end rather than wait forever.
    for (const t of [...this.#terminals.values()]) if (slot.labs.has(t.labKey)) t.listener({ kind: 'closed' })
    const queued = [...slot.pending.values()]
    const current = queued.find((p) => p.id === runningId) ?? queued[0]
    if (this.#closed) {
      for (const p of queued) p.reject(new ApiError('internal', 'the lab pool was closed'))
      return
    }
    for (const p of queued) {
      if (p === current) {
        p.reject(new LabStopped(reason, slot.running.get(p.id), p.isReopen, this.budgetMs))
        continue
      }
      // Never ran: the same request goes to the lab's new worker, which will not hold the lab
      // and answers `missing`, so the caller reopens it there.
      const next = this.#slotFor(p.request.labKey)
      next.labs.set(p.request.labKey, Date.now())
      next.pending.set(p.id, p)
      next.worker.postMessage({ id: p.id, request: p.request } satisfies RequestMessage)
    }
  }

  #evictBeyondCapacity(slot: Slot): void {
    while (slot.labs.size > this.#labsPerWorker) {
      const oldest = [...slot.labs.entries()].reduce((a, b) => (b[1] < a[1] ? b : a))[0]
      this.close(oldest)
    }
  }

  #evictIdle(): void {
    const cutoff = Date.now() - this.#idleMs
    for (const slot of this.#slots)
      for (const [labKey, lastUsed] of slot.labs) if (lastUsed < cutoff) this.close(labKey)
  }
}
