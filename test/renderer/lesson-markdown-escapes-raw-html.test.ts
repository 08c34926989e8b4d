import { describe, expect, test } from 'vitest'
import { renderMarkdown } from '../../src-renderer/src/lib/markdown.ts'

describe('lesson Markdown rendering', () => {
  test('raw HTML in a lesson is shown as text, never injected', () => {
    const html = renderMarkdown('Hello <script>alert(1)</script> and <img src=x onerror="alert(2)">')
    expect(html).not.toContain('<script')
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  test('javascript: links are dropped', () => {
    const html = renderMarkdown('[click](javascript:alert(1))')
    expect(html).not.toContain('href="javascript:')
  })

  test('commands in fenced blocks keep their text exactly', () => {
    const html = renderMarkdown('```\nip route get 10.244.2.2\n```')
    expect(html).toContain('<pre><code>ip route get 10.244.2.2\n</code></pre>')
  })
})
