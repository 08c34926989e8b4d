import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import { glossary } from '../../src-renderer/src/lib/glossary/terms.ts'
import { renderMarkdown } from '../../src-renderer/src/lib/markdown.ts'

const linked = (html: string): string[] =>
  [
    ...html.matchAll(
      /<button type="button" class="glossary-term" data-term="([^"]+)"[^>]*>([^<]*)<\/button>/g
    )
  ].map((m) => `${m[1]}:${m[2]}`)

describe('glossary links in lesson text', () => {
  test('the first mention of a term becomes a button that opens it, later ones stay text', () => {
    const html = renderMarkdown('The veth pair ends in cni0. A second veth pair is not linked again.')
    expect(linked(html)).toEqual(['veth:veth pair'])
    expect(html).toContain('A second veth pair is not linked again.')
  })

  test('commands, code blocks, links and headings are left as they are', () => {
    const html = renderMarkdown(
      [
        '## The bridge',
        '',
        'Run `bridge fdb show` and follow [the conntrack docs](https://example.org).',
        '',
        '```',
        'iptables-save -t nat',
        '```',
        '',
        'Then the bridge, the FDB and conntrack.'
      ].join('\n')
    )
    expect(linked(html)).toEqual(['bridge:bridge', 'fdb:FDB', 'conntrack:conntrack'])
    expect(html).toContain('<h2>The bridge</h2>')
    expect(html).toContain('<code>bridge fdb show</code>')
    expect(html).toContain('>the conntrack docs</a>')
    expect(html).toContain('<pre><code>iptables-save -t nat\n</code></pre>')
  })

  test('whole words only: a device name or a longer word is not a mention', () => {
    const html = renderMarkdown('flannel.1 on net.bridge and ARPANET; then flannel itself.')
    expect(linked(html)).toEqual(['flannel:flannel'])
  })

  test('the longest name wins, capitals and plurals count, and Chinese names are found without spaces', () => {
    expect(linked(renderMarkdown('Each VXLAN tunnel endpoint has an endpoint.'))).toEqual([
      'vtep:VXLAN tunnel endpoint',
      'endpoints:endpoint'
    ])
    expect(linked(renderMarkdown('Bridges learn. NodePorts open.'))).toEqual([
      'bridge:Bridges',
      'nodeport:NodePorts'
    ])
    expect(linked(renderMarkdown('流量经过cni0网桥，再由连接跟踪还原。'))).toEqual([
      'bridge:网桥',
      'conntrack:连接跟踪'
    ])
  })

  test('lesson text is escaped as before around the buttons', () => {
    const html = renderMarkdown('A bridge <script>alert(1)</script>')
    expect(html).not.toContain('<script')
    expect(linked(html)).toEqual(['bridge:bridge'])
  })

  /** Written only as code in the lessons (`externalTrafficPolicy: Local`), which is never linked. */
  const onlyInCode = new Set(['external-traffic-policy'])

  test('every glossary term is linked somewhere in the course, in each language', () => {
    const lessons = resolve(import.meta.dirname, '../../lessons')
    for (const locale of ['en', 'zh-CN']) {
      const seen = new Set<string>()
      for (const dir of readdirSync(lessons).filter((d) => /^\d\d[a-z]?-/.test(d)))
        for (const file of readdirSync(join(lessons, dir)).filter((f) => f.endsWith(`.${locale}.md`)))
          for (const link of linked(renderMarkdown(readFileSync(join(lessons, dir, file), 'utf8'))))
            seen.add(link.split(':')[0] as string)
      expect(
        glossary.filter((t) => !seen.has(t.id) && !onlyInCode.has(t.id)).map((t) => t.id),
        locale
      ).toEqual([])
    }
  })
})
