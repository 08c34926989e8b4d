/**
 * A sliding-window limit per key (the caller's address): at most `limit` hits in any `windowMs`.
 * Kept in memory: a restart forgets it, which only helps someone who can restart the instructor's app.
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>()

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number
  ) {}

  /** Records a hit; null when allowed, else the seconds until the oldest hit leaves the window. */
  hit(key: string): number | null {
    const now = this.now()
    const recent = (this.#hits.get(key) ?? []).filter((at) => now - at < this.windowMs)
    if (recent.length >= this.limit) {
      this.#hits.set(key, recent)
      return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000))
    }
    recent.push(now)
    this.#hits.set(key, recent)
    if (this.#hits.size > 10_000) this.#forgetIdle(now)
    return null
  }

  #forgetIdle(now: number): void {
    for (const [key, hits] of this.#hits)
      if (hits.every((at) => now - at >= this.windowMs)) this.#hits.delete(key)
  }
}
