/**
 * DNS messages as text: records in master-file form as BIND's tools print them, and the
 * one-line summary tcpdump 4.99 prints for a DNS datagram.
 */

import { RCODE_NUMBER, type DnsMessage, type DnsRcode, type DnsRecord } from '../net/dns-message.ts'

/**
 * BIND's column rule: tabs up to the next column stop, or one space when the text already
 * reaches past it. dig's columns are 24 (TTL), 32 (class), 40 (type) and 48 (data).
 */
function tabbed(fields: readonly (readonly [string, number])[]): string {
  let line = ''
  let col = 0
  fields.forEach(([text, stop], i) => {
    if (i > 0) {
      if (col >= stop) {
        line += ' '
        col++
      } else
        while (col < stop) {
          line += '\t'
          col = (col + 8) & ~7
        }
    }
    line += text
    col += text.length
  })
  return line
}

export function recordData(r: DnsRecord): string {
  if (r.type === 'A') return r.address
  if (r.type === 'PTR') return r.target
  const s = r.soa
  return `${s.mname} ${s.rname} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`
}

export function recordLine(r: DnsRecord): string {
  return tabbed([
    [r.name, 0],
    [String(r.ttl), 24],
    ['IN', 32],
    [r.type, 40],
    [recordData(r), 48]
  ])
}

/** The question's `;` is printed before the columns are counted. */
export function questionLine(m: DnsMessage): string {
  return `;${tabbed([
    [m.question.name, 0],
    ['IN', 32],
    [m.question.type, 40]
  ])}`
}

export function rcodeText(rcode: DnsRcode): string {
  return `${RCODE_NUMBER[rcode]}(${rcode})`
}

const TCPDUMP_RCODE: Record<DnsRcode, string> = {
  NOERROR: '',
  SERVFAIL: ' ServFail',
  NXDOMAIN: ' NXDomain',
  REFUSED: ' Refused'
}

/** tcpdump's print-domain.c without -v: id and flags, the question or the answer counts and records, the size. */
export function tcpdumpDns(m: DnsMessage, length: number): string {
  const additional = m.edns ? 1 : 0
  if (!m.response)
    return `${m.id}${m.recursionDesired ? '+' : ''}${additional ? ` [${additional}au]` : ''} ${m.question.type}? ${m.question.name} (${length})`
  const flags = `${TCPDUMP_RCODE[m.rcode]}${m.authoritative ? '*' : ''}${m.recursionAvailable ? '' : '-'}`
  const answers = m.answers.map((r) => ` ${r.type} ${recordData(r)}`).join(',')
  return `${m.id}${flags} ${m.answers.length}/${m.authority.length}/${additional}${answers} (${length})`
}
