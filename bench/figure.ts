/**
 * One number `npm run bench` prints, e.g. `trace.clusterip-cross-node: 18.2 µs (target < 50 µs)`.
 * A figure module (`bench/*.bench.ts`) default-exports an array of these.
 */
export interface Figure {
  /** Dotted, stable name; `npm run bench -- --only PATTERN` matches it as a substring. */
  name: string
  unit: string
  /** Human-readable target, e.g. `< 50 µs` or `>= 1000x`; `none` where the figure is informational. */
  target: string
  /** How many samples to take; the printed value is their median. */
  runs: number
  /** Takes one sample. Context is shared by all figures of one module (e.g. a built renderer). */
  sample: () => Promise<number> | number
  /** Optional one-time preparation before the first sample. */
  setup?: () => Promise<void> | void
  /** Optional clean-up after the last sample. */
  teardown?: () => Promise<void> | void
  /** Extra lines printed under the figure (e.g. a growth table). */
  details?: () => string[]
}

export interface FigureResult {
  name: string
  value: number
  unit: string
  target: string
  runs: number
}

/**
 * Whether a value meets its figure's target: `< N`, `<= N`, `> N`, `>= N` (the number in the
 * figure's unit) or a bare `N`. Undefined for `none` and for targets that are prose.
 */
export function meetsTarget(value: number, target: string): boolean | undefined {
  const bound = /^(<=|>=|<|>)?\s*(\d+(?:\.\d+)?)(?:\s*\S+)?(?:\s*\(.*\))?$/.exec(target.trim())
  if (!bound) return undefined
  const limit = Number(bound[2])
  switch (bound[1]) {
    case '<':
      return value < limit
    case '<=':
      return value <= limit
    case '>':
      return value > limit
    case '>=':
      return value >= limit
    default:
      return value === limit
  }
}
