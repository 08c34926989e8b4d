/**
 * The lab's only source of randomness (MACs, veth names, ports, iptables statistic picks,
 * ping times): mulberry32, whose whole state is one 32-bit number kept in the lab, so a lab
 * serialised and restored continues the same sequence.
 */
export interface RngState {
  seed: number
}

/** A float in [0, 1). */
export function nextRandom(rng: RngState): number {
  rng.seed = (rng.seed + 0x6d2b79f5) | 0
  let t = rng.seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** An integer in [min, max]. */
export function randomInt(rng: RngState, min: number, max: number): number {
  return min + Math.floor(nextRandom(rng) * (max - min + 1))
}

export function randomBytes(rng: RngState, count: number): number[] {
  const bytes: number[] = []
  for (let i = 0; i < count; i++) bytes.push(randomInt(rng, 0, 255))
  return bytes
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

export function randomHex(rng: RngState, chars: number): string {
  const parts: string[] = []
  for (let i = 0; i < Math.ceil(chars / 2); i++) parts.push(HEX_BYTES[randomInt(rng, 0, 255)]!)
  // join gives one flat string, where += would leave a chain of pieces that every id keeps alive.
  const text = parts.join('')
  return text.length === chars ? text : text.slice(0, chars)
}
