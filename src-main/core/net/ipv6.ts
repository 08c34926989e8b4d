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
