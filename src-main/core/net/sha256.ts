/**
 * SHA-256 (FIPS 180-4) over UTF-8 text, in pure TypeScript: kube-proxy names its chains from
 * a SHA-256 hash and the core may not import node:crypto.
 */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2
])

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n))
}

/**
 * The message and its padding, written into one buffer reused by every call (a lab build hashes
 * thousands of chain names): no array of numbers grown a byte at a time.
 */
let message = new Uint8Array(256)
const w = new Uint32Array(64)
const h = new Uint32Array(8)

/** Writes `text` as UTF-8 (code points; a lone surrogate as its own three bytes) and returns the length. */
function utf8Into(text: string): number {
  if (message.length < text.length * 3 + 72) message = new Uint8Array(text.length * 3 + 72)
  const out = message
  let n = 0
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c < 0x80) {
      out[n++] = c
      continue
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1)
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = (c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000
        i++
      }
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6)
      out[n++] = 0x80 | (c & 63)
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12)
      out[n++] = 0x80 | ((c >> 6) & 63)
      out[n++] = 0x80 | (c & 63)
    } else {
      out[n++] = 0xf0 | (c >> 18)
      out[n++] = 0x80 | ((c >> 12) & 63)
      out[n++] = 0x80 | ((c >> 6) & 63)
      out[n++] = 0x80 | (c & 63)
    }
  }
  return n
}

export function sha256(text: string): Uint8Array {
  let length = utf8Into(text)
  const bytes = message
  const bitLength = length * 8
  bytes[length++] = 0x80
  while (length % 64 !== 56) bytes[length++] = 0
  for (let i = 7; i >= 0; i--) bytes[length++] = i >= 4 ? 0 : (bitLength >>> (i * 8)) & 255
  h[0] = 0x6a09e667
  h[1] = 0xbb67ae85
  h[2] = 0x3c6ef372
  h[3] = 0xa54ff53a
  h[4] = 0x510e527f
  h[5] = 0x9b05688c
  h[6] = 0x1f83d9ab
  h[7] = 0x5be0cd19
  for (let block = 0; block < length; block += 64) {
    for (let i = 0; i < 16; i++) {
      const o = block + i * 4
      w[i] = (bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!
      const b = w[i - 2]!
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10)
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0
    }
    let a: number = h[0]!
    let b: number = h[1]!
    let c: number = h[2]!
    let d: number = h[3]!
    let e: number = h[4]!
    let f: number = h[5]!
    let g: number = h[6]!
    let hh: number = h[7]!
    for (let i = 0; i < 64; i++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      const ch = (e & f) ^ (~e & g)
      const t1 = (hh + s1 + ch + K[i]! + w[i]!) | 0
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (s0 + maj) | 0
      hh = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h[0] = h[0]! + a
    h[1] = h[1]! + b
    h[2] = h[2]! + c
    h[3] = h[3]! + d
    h[4] = h[4]! + e
    h[5] = h[5]! + f
    h[6] = h[6]! + g
    h[7] = h[7]! + hh
  }
  const out = new Uint8Array(32)
  for (let i = 0; i < 8; i++) {
    out[i * 4] = h[i]! >>> 24
    out[i * 4 + 1] = (h[i]! >>> 16) & 255
    out[i * 4 + 2] = (h[i]! >>> 8) & 255
    out[i * 4 + 3] = h[i]! & 255
  }
  return out
}

/** RFC 4648 base32 with padding, as Go's base32.StdEncoding (kube-proxy uses its first 16 chars). */
export function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
    buffer &= (1 << bits) - 1
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31]
  while (out.length % 8 !== 0) out += '='
  return out
}

/**
 * Hashed names already computed, bounded: every node's kube-proxy and policy controller name the
 * same services, endpoints and pods, so a build asked for each name once per node. Cleared
 * whole when full, as synced policy chain names carry a new version every sync.
 */
const hashedNames = new Map<string, string>()
const HASHED_NAMES_MAX = 200_000

/** base32(sha256(text))[:16]: the name suffix kube-proxy and kube-router hash their chains to. */
export function hashName16(text: string): string {
  let name = hashedNames.get(text)
  if (name === undefined) {
    name = base32(sha256(text)).slice(0, 16)
    if (hashedNames.size >= HASHED_NAMES_MAX) hashedNames.clear()
    hashedNames.set(text, name)
  }
  return name
}
