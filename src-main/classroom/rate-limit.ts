/**
 * A sliding-window limit per key (the caller's address): at most `limit` failures in any
 * `windowMs`. Only failures count, so a room behind one NAT joins at any pace while guessing
 * codes stays hopeless. Kept in memory: a restart forgets it, which only helps someone who can
 * restart the instructor's app.
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>()

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number
  ) {}

  /** Null when the key may try again, else the seconds until its oldest failure leaves the window. */
  retryAfter(key: string): number | null {
    const now = this.now()
    const recent = (this.#hits.get(key) ?? []).filter((at) => now - at < this.windowMs)
    this.#hits.set(key, recent)
    if (recent.length < this.limit) return null
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000))
  }

  failed(key: string): void {
    const now = this.now()
    this.#hits.set(key, [...(this.#hits.get(key) ?? []), now])
    if (this.#hits.size > 10_000) this.#forgetIdle(now)
  }

  #forgetIdle(now: number): void {
    for (const [key, hits] of this.#hits)
      if (hits.every((at) => now - at >= this.windowMs)) this.#hits.delete(key)
  }
}
