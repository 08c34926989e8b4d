import { describe, expect, test } from 'vitest'
import { commandText } from '../../src-main/core/lesson/command-target.ts'
import { targetedCommands } from '../../src-main/core/lesson/prose-commands.ts'
import { createHighlight } from '../../src-renderer/src/lib/highlight/shiki-highlight.ts'
import { renderMarkdown, type ProseOptions } from '../../src-renderer/src/lib/markdown.ts'

const lessonView: ProseOptions = {
  runLabel: 'Run in the terminal',
  runOnLabel: (target) => `Run on ${target}`,
  copyLabel: 'Copy',
  copyBlockLabel: 'Copy the code',
  codeLabel: 'Code',
  tableLabel: 'Table'
}

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' }
const decode = (text: string): string => text.replace(/&(amp|lt|gt|quot);/g, (e) => entities[e] ?? e)

/** The attributes of each `<button class="…">` (or other tag) the renderer wrote, in order. */
function tags(html: string, tag: string, cls: string): Record<string, string>[] {
  return [...html.matchAll(new RegExp(`<${tag} ([^>]*)>`, 'g'))]
    .map((m) =>
      Object.fromEntries(
        [...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], decode(a[2] ?? '')])
      )
    )
    .filter((a) => (a['class'] ?? '').split(' ').includes(cls))
}

/** Text with the markup taken out, as a screen reader or the clipboard would have it. */
const text = (html: string): string => decode(html.replace(/<[^>]*>/g, ''))

describe('the target written before a command', () => {
  test('is a shell name and $, as a prompt reads; anything else is the command alone', () => {
    expect(commandText('node-1$ iptables-save -t nat')).toEqual({
      on: 'node-1',
      command: 'iptables-save -t nat'
    })
    expect(commandText(' web/app$  ip addr ')).toEqual({ on: 'web/app', command: 'ip addr' })
    expect(commandText('for i in $(seq 3); do echo $i; done')).toEqual({
      on: undefined,
      command: 'for i in $(seq 3); do echo $i; done'
    })
    expect(commandText('Node-1$ ip addr').on).toBeUndefined()
    expect(commandText('node-1$').on).toBeUndefined()
  })

  test('the checker and the renderer find the same commands, in code spans and fenced lines', () => {
    const markdown =
      'Run `node-1$ ip route`, not `ip route`.\n\n```sh\nnode-2$ ip addr\nclient$ curl -s 10.96.0.100\n```\n'
    expect(targetedCommands(markdown).map((c) => `${c.on}: ${c.command}`)).toEqual([
      'node-1: ip route',
      'node-2: ip addr',
      'client: curl -s 10.96.0.100'
    ])
  })
})

describe('commands in the lesson view', () => {
  test('a command that names its shell runs there: the button carries the shell and says it', () => {
    const html = renderMarkdown('Dump them with `node-1$ iptables-save -t nat`.', lessonView)
    expect(tags(html, 'button', 'run-command')).toEqual([
      {
        type: 'button',
        class: 'run-command',
        'data-command': 'iptables-save -t nat',
        'data-on': 'node-1',
        'aria-label': 'Run on node-1: iptables-save -t nat'
      }
    ])
    expect(text(/<button [^>]*class="run-command"[^>]*>(.*?)<\/button>/.exec(html)?.[1] ?? '')).toBe(
      'node-1$ iptables-save -t nat'
    )
  })

  test('a command without a shell runs in the terminal on screen, as before', () => {
    const [run] = tags(renderMarkdown('Try `ip route`.', lessonView), 'button', 'run-command')
    expect(run).not.toHaveProperty('data-on')
    expect(run?.['aria-label']).toBe('Run in the terminal: ip route')
  })

  test('every command gets a Copy button for the command alone; one with blanks to fill gets only Copy', () => {
    const html = renderMarkdown(
      '`node-1$ ip addr` then `node-1$ bridge fdb del <mac> dev flannel.1`',
      lessonView
    )
    const copies = tags(html, 'button', 'copy-code')
    expect(copies.map((b) => b['data-copy'])).toEqual(['ip addr', 'bridge fdb del <mac> dev flannel.1'])
    expect(copies.map((b) => b['aria-label'])).toEqual([
      'Copy: ip addr',
      'Copy: bridge fdb del <mac> dev flannel.1'
    ])
    expect(tags(html, 'button', 'run-command').map((b) => b['data-command'])).toEqual(['ip addr'])
  })

  test('a shell block of commands becomes one Run button per line, each on its own shell', () => {
    const html = renderMarkdown(
      '```sh\nnode-1$ ip route replace 10.244.2.0/24 via 192.168.56.12 dev eth0\nnode-2$ ip route replace 10.244.1.0/24 via 192.168.56.11 dev eth0\n```',
      lessonView
    )
    expect(html).toMatch(/^<div class="command-block">/)
    expect(tags(html, 'button', 'run-command').map((b) => b['data-on'])).toEqual(['node-1', 'node-2'])
  })

  test('any other block scrolls in a named box with a Copy button for its whole text', () => {
    const html = renderMarkdown('```\n-A KUBE-SERVICES -j REJECT\n-A KUBE-NODEPORTS\n```', lessonView)
    expect(html).toMatch(/^<div class="code-block"><pre tabindex="0" role="region" aria-label="Code">/)
    expect(tags(html, 'button', 'copy-code').map((b) => b['data-copy'])).toEqual([
      '-A KUBE-SERVICES -j REJECT\n-A KUBE-NODEPORTS'
    ])
  })

  test('shell code is coloured by token classes, with its text unchanged and escaped', () => {
    const html = renderMarkdown('`client$ curl -s "http://x/?a=1&b=<2>"`\n\n```yaml\nport: 8080\n```', {
      ...lessonView,
      highlight: createHighlight()
    })
    expect(html).toContain('<span class="tok-function">curl</span>')
    expect(html).toContain('<span class="tok-constant">8080</span>')
    expect(html).not.toMatch(/style=/)
    expect(text(/<code>(.*?)<\/code>/.exec(html)?.[1] ?? '')).toBe('curl -s "http://x/?a=1&b=<2>"')
    expect(html).not.toMatch(/<(?!\/?(p|span|code|button|svg|rect|path|div|pre)\b)/)
  })

  test('without the lesson view’s options the text is plain Markdown', () => {
    expect(renderMarkdown('`node-1$ ip addr`')).toBe('<p><code>node-1$ ip addr</code></p>\n')
  })
})
