import { parseIpv4 } from './ipv4.ts'

/**
 * An IPv6 address in inet_pton's text forms — eight hex groups, one `::` standing for the zero
 * groups it leaves out, an IPv4 dotted quad as the last 32 bits — as its 16 bytes.
 */
export function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return []
    const words = part.split(':')
    const out: number[] = []
    for (const [i, word] of words.entries()) {
      const v4 = i === words.length - 1 && word.includes('.') ? parseIpv4(word) : undefined
      if (v4 !== undefined) out.push(v4 >>> 16, v4 & 0xffff)
      else if (/^[0-9a-f]{1,4}$/i.test(word)) out.push(parseInt(word, 16))
      else return undefined
    }
    return out
  }
  const head = groupsOf(halves[0]!)
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : []
  if (head === undefined || tail === undefined) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const groups = [...head, ...Array<number>(missing).fill(0), ...tail]
  return groups.flatMap((g) => [g >> 8, g & 0xff])
}

/**
 * inet_ntop's text for 16 bytes: lowercase hex groups, the longest run of two or more zero
 * groups (the first of equal runs) as `::`, and an IPv4-compatible or -mapped address ending
 * in a dotted quad.
 */
export function formatIpv6(bytes: readonly number[]): string {
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!)
  let best = { base: -1, len: 0 }
  let run = { base: -1, len: 0 }
  for (const [i, w] of words.entries()) {
    if (w === 0) {
      run = run.base === -1 ? { base: i, len: 1 } : { base: run.base, len: run.len + 1 }
      if (run.len > best.len) best = run
    } else run = { base: -1, len: 0 }
  }
  if (best.len < 2) best = { base: -1, len: 0 }
  let out = ''
  for (let i = 0; i < 8; i++) {
    if (i === best.base) {
      out += '::'
      i += best.len - 1
      continue
    }
    if (i > 0 && !out.endsWith(':')) out += ':'
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += bytes.slice(12).join('.')
      break
    }
    out += words[i]!.toString(16)
  }
  return out
}
