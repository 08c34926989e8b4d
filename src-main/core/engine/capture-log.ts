import type { CapturedFrame, PacketView } from './trace.ts'

/** A running capture, told of every frame as the walk records it. */
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
   * Running captures (`tcpdump` as a job or in a terminal's foreground). Live state of the
   * terminals, never replayed or persisted.
   */
  readonly listeners = new Set<CaptureListener>()
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

  /** Records one frame; the listeners get it as an object only when there are some. */
  record(
    at: number,
    netns: string,
    device: string,
    direction: 'in' | 'out',
    frame: PacketView,
    promiscOnly: boolean
  ): void {
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
    if (this.listeners.size > 0) {
      const captured = this.#frameAt(i)
      for (const listener of this.listeners) listener(captured)
    }
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
