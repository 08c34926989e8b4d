import { describe, expect, test } from 'vitest'
import {
  presenterAction,
  presenterKeysFor,
  type KeyContext
} from '../../src-renderer/src/lib/presenter/keys.ts'

const base: KeyContext = {
  key: '',
  presenting: true,
  inClass: false,
  inField: false,
  onButton: false,
  modified: false
}
const action = (key: string, change: Partial<KeyContext> = {}): ReturnType<typeof presenterAction> =>
  presenterAction({ ...base, ...change, key })

describe('presenter keys', () => {
  test('a presentation remote steps the packet: PageDown/PageUp and the arrows move one hop', () => {
    expect(action('PageDown')).toBe('next')
    expect(action('ArrowRight')).toBe('next')
    expect(action('PageUp')).toBe('previous')
    expect(action('ArrowLeft')).toBe('previous')
  })

  test('B and "." blank the screen, Space plays, Escape leaves', () => {
    expect(action('b')).toBe('blank')
    expect(action('B')).toBe('blank')
    expect(action('.')).toBe('blank')
    expect(action(' ')).toBe('play')
    expect(action('Escape')).toBe('leave')
  })

  test('P and F5 toggle presenter mode, also when it is off', () => {
    expect(action('p', { presenting: false })).toBe('toggle-mode')
    expect(action('F5', { presenting: false })).toBe('toggle-mode')
    expect(action('P')).toBe('toggle-mode')
  })

  test('a learner in a class has no key that turns presenter mode on or off, nor is one listed', () => {
    for (const presenting of [false, true])
      for (const key of ['p', 'P', 'F5']) expect(action(key, { inClass: true, presenting }), key).toBeNull()
    expect(action('PageDown', { inClass: true })).toBe('next')
    expect(action('Escape', { inClass: true })).toBe('leave')
    const listed = presenterKeysFor(true).flatMap(({ keys }) => keys)
    expect(listed).not.toContain('p')
    expect(listed).not.toContain('F5')
    expect(listed).toContain('PageDown')
    expect(presenterKeysFor(false).flatMap(({ keys }) => keys)).toContain('p')
  })

  test('outside presenter mode the stepping and blanking keys do nothing', () => {
    for (const key of ['PageDown', 'PageUp', 'ArrowRight', 'b', ' ', 'Escape'])
      expect(action(key, { presenting: false }), key).toBeNull()
  })

  test('typing in a field or the terminal is never taken over, not even P', () => {
    for (const key of ['p', 'b', 'PageDown', ' ', 'ArrowLeft'])
      expect(action(key, { inField: true }), key).toBeNull()
  })

  test('Space on a button presses the button; shortcuts with modifiers stay the browser’s', () => {
    expect(action(' ', { onButton: true })).toBeNull()
    expect(action('PageDown', { onButton: true })).toBe('next')
    expect(action('p', { modified: true })).toBeNull()
    expect(action('F5', { modified: true })).toBeNull()
  })
})
