/**
 * Whether Podnet Lab can be reached: `online`, or `lost` (a call could not reach it; it is probed
 * with backoff until it answers, and any call that gets through ends the loss too).
 */
export type ConnectionState = 'online' | 'lost'

export interface ConnectionMonitorOptions {
  /**
   * Asks Podnet Lab something cheap: true when any answer came back, refusals included; false or
   * a rejection when none did.
   */
  probe: () => Promise<boolean>
  /** Waits between probes while lost: doubling from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs: number; maxMs: number }
  /** Called once each time a loss ends, after the state listeners. */
  onRestored?: () => void
}

/**
 * The app's one view of the connection, fed by every call: a failed call makes it `lost`, a call
 * that got an answer makes it `online`. While lost it probes on its own, so the app notices the
 * host is back even when the learner does nothing.
 */
export class ConnectionMonitor {
  readonly #options: ConnectionMonitorOptions
  readonly #listeners = new Set<(state: ConnectionState) => void>()
  #state: ConnectionState = 'online'
  #failures = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #checking = false

  constructor(options: ConnectionMonitorOptions) {
    this.#options = options
  }

  get state(): ConnectionState {
    return this.#state
  }

  /** Calls `listener` with the state now and at every change; returns how to stop. */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.#listeners.add(listener)
    listener(this.#state)
    return () => this.#listeners.delete(listener)
  }

  /** A call could not reach Podnet Lab. */
  failed(): void {
    if (this.#state === 'lost') return
    this.#failures = 0
    this.#setState('lost')
    this.#schedule()
  }

  /** A call got an answer (even a refusal): Podnet Lab is there. */
  succeeded(): void {
    this.#clearTimer()
    this.#failures = 0
    if (this.#state === 'online') return
    this.#setState('online')
    this.#options.onRestored?.()
  }

  /**
   * Something hints at a loss without a call having failed (the stream socket dropped): one probe
   * decides, so a socket closed for another reason does not flash the app's banner.
   */
  check(): void {
    if (this.#state === 'lost' || this.#checking) return
    this.#checking = true
    void this.#probe().then((reached) => {
      this.#checking = false
      if (!reached) this.failed()
    })
  }

  #schedule(): void {
    this.#clearTimer()
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 500, maxMs: 10_000 }
    const delay = Math.min(maxMs, initialMs * 2 ** this.#failures)
    // Jitter: after a host restart, a room full of pages does not come back in the same instant.
    this.#timer = setTimeout(() => void this.#retry(), delay * (0.5 + Math.random() / 2))
  }

  async #retry(): Promise<void> {
    this.#timer = null
    if (this.#state !== 'lost') return
    if (await this.#probe()) return this.succeeded()
    if (this.#state !== 'lost' || this.#timer !== null) return
    this.#failures++
    this.#schedule()
  }

  async #probe(): Promise<boolean> {
    try {
      return await this.#options.probe()
    } catch {
      return false
    }
  }

  #setState(state: ConnectionState): void {
    this.#state = state
    for (const listener of [...this.#listeners]) listener(state)
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
