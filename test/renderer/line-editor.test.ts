import { describe, expect, test } from 'vitest'
import { LineEditor } from '../../src-renderer/src/lib/terminal/line-editor.ts'

function submitted(editor: LineEditor, data: string): string | undefined {
  const action = editor.feed(data).find((a) => a.kind === 'submit')
  return action?.kind === 'submit' ? action.line : undefined
}

describe('the terminal line editor', () => {
  test('edits in the middle of a line and submits it whole', () => {
    const editor = new LineEditor('/ # ')
    editor.feed('ip ddr')
    editor.feed('\x1b[D\x1b[D\x1b[D')
    editor.feed('a')
    expect(submitted(editor, '\r')).toBe('ip addr')
  })

  test('↑/↓ walk the history and give back the line being typed', () => {
    const editor = new LineEditor('/ # ')
    for (const line of ['ip route', 'ip addr']) {
      editor.remember(line)
      editor.reset()
    }
    editor.feed('pin')
    editor.feed('\x1b[A')
    expect(editor.line).toBe('ip addr')
    editor.feed('\x1b[A')
    expect(editor.line).toBe('ip route')
    editor.feed('\x1b[B\x1b[B')
    expect(editor.line).toBe('pin')
  })

  test('Ctrl+C interrupts, Ctrl+L clears the screen, Tab asks for completion', () => {
    const editor = new LineEditor('/ # ')
    expect(editor.feed('\x03')).toEqual([{ kind: 'interrupt' }])
    expect(editor.feed('\x0c')).toEqual([{ kind: 'clear-screen' }])
    editor.feed('pi')
    expect(editor.feed('\t')).toEqual([{ kind: 'complete', line: 'pi', cursor: 2 }])
  })
})
