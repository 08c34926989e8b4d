import type { CapturedFrame, PacketView } from './trace.ts'

/** A running capture, told of every frame once the lab clock has reached the frame's time. */
export type CaptureListener = (frame: CapturedFrame) => void

const OUT = 1
const PROMISC_ONLY = 2

/**
 * Frames seen on interfaces, for tcpdump: the last `limit` frames (up to a thousand more between
 * trims) in a ring of preallocated columns. A frame is a few numbers and references to strings
 * and a header view that live on anyway, so recording one allocates nothing; the
 * `CapturedFrame` objects readers see are built only when they read. A log of objects kept
 * thousands of them alive from each trace to the next, and the garbage collector copied them
 * again at every collection.
 */
export class CaptureLog {
  /** Incremented by the shell before each command line that sends traffic; frames carry it. */
  batch = 0
  /** Oldest frames are dropped beyond this. */
  readonly limit: number
  /**
   * Whether frames go into the ring: only while a shell runs a line, since the ring is there for
   * what `tcpdump` reads of the lines before it. A trace (the stepper's, a lesson's) keeps its
   * own frames for its capture files; in the ring, their references kept thousands of header
   * views alive until it came round, and every young-generation collection copied them again,
   * about a fifth of a trace's CPU time. Running captures get every frame either way.
   */
  keeping = false
  /**
   * Running captures (`tcpdump` as a job or in a terminal's foreground). Live state of the
   * terminals, never replayed or persisted.
   */
  readonly listeners = new Set<CaptureListener>()
  /**
   * Frames stamped later than the lab clock when they were recorded, in time order: a packet
   * queued behind a failing neighbour resolution is recorded with the time it fails, before
   * the probes sent meanwhile, and a running capture must print those first.
   */
  readonly #held: CapturedFrame[] = []
  readonly #capacity: number
  readonly #batch: Float64Array
  readonly #at: Float64Array
  readonly #flags: Uint8Array
  readonly #netns: string[]
  readonly #device: string[]
  readonly #frame: PacketView[]
  /** Ring index of the oldest frame kept. */
  #first = 0
  #count = 0

  constructor(limit: number) {
    this.limit = limit
    // Trimmed in batches of a thousand, as the log always was: what a reader sees does not move
    // by one frame at every frame.
    this.#capacity = limit + 1001
    this.#batch = new Float64Array(this.#capacity)
    this.#at = new Float64Array(this.#capacity)
    this.#flags = new Uint8Array(this.#capacity)
    this.#netns = new Array<string>(this.#capacity).fill('')
    this.#device = new Array<string>(this.#capacity).fill('')
    this.#frame = new Array<PacketView>(this.#capacity)
  }

  /** Frames kept. */
  get length(): number {
    return this.#count
  }

  /** Every frame kept, oldest first, as new objects. */
  get frames(): CapturedFrame[] {
    return this.#read(undefined)
  }

  /** The frames of one batch, oldest first. */
  framesOf(batch: number): CapturedFrame[] {
    return this.#read(batch)
  }

  /**
   * Records one frame stamped `at` while the lab clock reads `nowMs`; the listeners get it as an
   * object only when there are some, at once if its time has come, else when the clock gets there.
   */
  record(
    at: number,
    nowMs: number,
    netns: string,
    device: string,
    direction: 'in' | 'out',
    frame: PacketView,
    promiscOnly: boolean
  ): void {
    if (!this.keeping) {
      if (this.listeners.size === 0) return
      const captured: CapturedFrame = { batch: this.batch, at, netns, device, direction, frame }
      if (promiscOnly) captured.promiscOnly = true
      this.#arrived(captured, nowMs)
      return
    }
    const i = (this.#first + this.#count) % this.#capacity
    this.#count++
    this.#batch[i] = this.batch
    this.#at[i] = at
    this.#flags[i] = (direction === 'out' ? OUT : 0) | (promiscOnly ? PROMISC_ONLY : 0)
    this.#netns[i] = netns
    this.#device[i] = device
    this.#frame[i] = frame
    if (this.#count === this.#capacity) {
      this.#first = (this.#first + this.#count - this.limit) % this.#capacity
      this.#count = this.limit
    }
    if (this.listeners.size === 0) return
    this.#arrived(this.#frameAt(i), nowMs)
  }

  #arrived(captured: CapturedFrame, nowMs: number): void {
    this.release(nowMs)
    // Whatever is still held is stamped after the clock, so after this frame if its time has come.
    if (captured.at <= nowMs) this.#tell(captured)
    else {
      let k = this.#held.length
      while (k > 0 && this.#held[k - 1]!.at > captured.at) k--
      this.#held.splice(k, 0, captured)
    }
  }

  /**
   * Tells the listeners the held frames stamped up to `nowMs`, oldest first: called as the lab
   * clock moves, and with Infinity once the command that sent them has ended.
   */
  release(nowMs: number): void {
    let n = 0
    while (n < this.#held.length && this.#held[n]!.at <= nowMs) n++
    if (n > 0) for (const frame of this.#held.splice(0, n)) this.#tell(frame)
  }

  #tell(frame: CapturedFrame): void {
    for (const listener of this.listeners) listener(frame)
  }

  /** The log as it reads in JSON: the same shape as a plain object holding the frames. */
  toJSON(): { batch: number; frames: CapturedFrame[]; limit: number; listeners: Set<CaptureListener> } {
    return { batch: this.batch, frames: this.frames, limit: this.limit, listeners: this.listeners }
  }

  /**
   * Frames in the order they crossed their devices. A packet queued behind a neighbour
   * resolution fails seconds after it was recorded, when later probes have already been
   * recorded: the log keeps recording order, a reader gets time order (stable, so frames of
   * one instant keep theirs).
   */
  #read(batch: number | undefined): CapturedFrame[] {
    const out: CapturedFrame[] = []
    let sorted = true
    for (let n = 0; n < this.#count; n++) {
      const i = (this.#first + n) % this.#capacity
      if (batch !== undefined && this.#batch[i] !== batch) continue
      const frame = this.#frameAt(i)
      if (out.length > 0 && out[out.length - 1]!.at > frame.at) sorted = false
      out.push(frame)
    }
    return sorted ? out : out.sort((a, b) => a.at - b.at)
  }

  #frameAt(i: number): CapturedFrame {
    const flags = this.#flags[i]!
    const frame: CapturedFrame = {
      batch: this.#batch[i]!,
      at: this.#at[i]!,
      netns: this.#netns[i]!,
      device: this.#device[i]!,
      direction: flags & OUT ? 'out' : 'in',
      frame: this.#frame[i]!
    }
    if (flags & PROMISC_ONLY) frame.promiscOnly = true
    return frame
  }
}
