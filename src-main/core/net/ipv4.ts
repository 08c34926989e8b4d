/**
 * IPv4 addresses are unsigned 32-bit numbers: cheap to compare, mask and use as map keys in the
 * packet walk. Only the edges (parsing, printing, traces) see dotted quads.
 */
export type Ipv4 = number

const dottedQuad =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/** Parses a dotted quad; undefined when the text is not one. */
export function parseIpv4(text: string): Ipv4 | undefined {
  const m = dottedQuad.exec(text)
  if (!m) return undefined
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0
}

/**
 * inet_aton's forms, which getaddrinfo and curl take as an address without asking DNS: one to
 * four parts, each decimal, octal (leading 0) or hex (0x), the last filling the bytes left
 * (`127.1` is 127.0.0.1, `2130706433` too).
 */
export function parseInetAton(text: string): Ipv4 | undefined {
  const parts = text.split('.')
  if (parts.length > 4) return undefined
  const values: number[] = []
  for (const part of parts) {
    const m = /^(?:0[xX]([\da-fA-F]+)|(0[0-7]*)|([1-9]\d*))$/.exec(part)
    if (!m) return undefined
    values.push(
      m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : Number(m[3])
    )
  }
  const last = values.pop()!
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return undefined
  return values.reduce((sum, v, i) => sum + v * 2 ** (8 * (3 - i)), 0) + last
}

/** Parses a dotted quad the caller already validated (scenario data, builder constants). */
export function ipv4(text: string): Ipv4 {
  const value = parseIpv4(text)
  if (value === undefined) throw new Error(`not an IPv4 address: ${text}`)
  return value
}

/**
 * A small direct-mapped cache of printed addresses: traces and tool output print the same few
 * addresses over and over, and building the text was a visible share of a packet walk.
 */
const CACHE_SIZE = 1024
const cachedIp = new Float64Array(CACHE_SIZE).fill(-1)
const cachedText: string[] = new Array<string>(CACHE_SIZE).fill('')

export function formatIpv4(ip: Ipv4): string {
  const slot = (ip ^ (ip >>> 10) ^ (ip >>> 20)) & (CACHE_SIZE - 1)
  if (cachedIp[slot] === ip) return cachedText[slot]!
  const text = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`
  cachedIp[slot] = ip
  cachedText[slot] = text
  return text
}
