import type { Hop, Stage, Trace } from '../../../../src-main/core/engine/trace.ts'
import { hopProtocol, type HopProtocol } from '../trace-view.ts'

export interface HopFilter {
  protocol: HopProtocol | 'all'
  netns: string | 'all'
  stage: Stage | 'all'
}

/** How long one hop stays on screen at 1× speed. */
const baseIntervalMs = 900
/** How long the packet takes along a wire when stepped by hand. */
const handGlideMs = 350
/** The most of a played hop the glide may take: the packet reaches the wire's end, then rests. */
const playedGlideShare = 0.8

/**
 * The packet stepper's playback: which hop of the trace is shown, whether it plays and how fast,
 * and the filter that narrows the hop list. Stepping moves through the filtered hops only, so
 * "show me the netfilter hooks on node-1" plays just those.
 */
export class Stepper {
  #trace = $state.raw<Trace | null>(null)
  #position = $state(0)
  #playing = $state(false)
  #speed = $state(1)
  #filter = $state<HopFilter>({ protocol: 'all', netns: 'all', stage: 'all' })
  #timer: ReturnType<typeof setTimeout> | null = null

  readonly visible: Hop[] = $derived.by(() => {
    const filter = this.#filter
    return (this.#trace?.hops ?? []).filter(
      (hop) =>
        (filter.protocol === 'all' || hopProtocol(hop) === filter.protocol) &&
        (filter.netns === 'all' || hop.netns === filter.netns) &&
        (filter.stage === 'all' || hop.stage === filter.stage)
    )
  })

  get trace(): Trace | null {
    return this.#trace
  }
  /** Index into `visible`. */
  get position(): number {
    return this.#position
  }
  get current(): Hop | null {
    return this.visible[this.#position] ?? null
  }
  get playing(): boolean {
    return this.#playing
  }
  get speed(): number {
    return this.#speed
  }
  /** How long a hop stays on screen while the trace plays. */
  get hopMs(): number {
    return baseIntervalMs / this.#speed
  }
  /** How long the packet takes along a wire: while playing, less than a hop, so it arrives first. */
  get glideMs(): number {
    return this.#playing ? Math.min(handGlideMs, playedGlideShare * this.hopMs) : handGlideMs
  }
  get filter(): HopFilter {
    return this.#filter
  }
  get atStart(): boolean {
    return this.#position <= 0
  }
  get atEnd(): boolean {
    return this.#position >= this.visible.length - 1
  }

  load(trace: Trace | null): void {
    this.pause()
    this.#trace = trace
    this.#position = 0
    this.#filter = { protocol: 'all', netns: 'all', stage: 'all' }
  }

  setFilter(change: Partial<HopFilter>): void {
    this.#filter = { ...this.#filter, ...change }
    this.#position = 0
  }

  setSpeed(speed: number): void {
    this.#speed = speed
  }

  goTo(index: number): void {
    this.#position = Math.min(Math.max(0, index), Math.max(0, this.visible.length - 1))
  }

  forward(): void {
    this.goTo(this.#position + 1)
  }

  back(): void {
    this.goTo(this.#position - 1)
  }

  toggle(): void {
    if (this.#playing) this.pause()
    else this.play()
  }

  play(): void {
    if (this.visible.length === 0) return
    if (this.atEnd) this.#position = 0
    this.#playing = true
    this.#schedule()
  }

  pause(): void {
    this.#playing = false
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      if (!this.#playing) return
      this.forward()
      if (this.atEnd) this.pause()
      else this.#schedule()
    }, this.hopMs)
  }
}
