import { describe, expect, test } from 'vitest'
import {
  instructorPartition,
  instructorWindowOptions,
  isWithinOrigin
} from '../../src-main/platform/electron/window-options.ts'
import { expectHardened } from './electron-checklist.ts'

describe('the instructor dashboard window of a class host', () => {
  const options = instructorWindowOptions('Podnet Lab — Room 4')

  test('has no preload: the page reaches only the class host’s token-checked HTTP API', () => {
    expect(options.webPreferences).not.toHaveProperty('preload')
  })

  test('is isolated like the main window: context isolation, sandbox, no Node, web security on', () => {
    expectHardened(options.webPreferences)
  })

  test('keeps its storage in an in-memory session apart from the app window’s', () => {
    expect(options.webPreferences?.partition).toBe(instructorPartition)
    expect(instructorPartition.startsWith('persist:')).toBe(false)
    expect(options.title).toBe('Podnet Lab — Room 4')
  })
})

describe('navigation from the instructor window', () => {
  const origin = 'http://192.168.1.20:4317'

  test('stays on the class host’s origin, any path or hash', () => {
    expect(isWithinOrigin('http://192.168.1.20:4317/?token=abc#/classroom/cls_12345678', origin)).toBe(true)
    expect(isWithinOrigin('http://192.168.1.20:4317/#/classroom/cls_12345678/projector', origin)).toBe(true)
  })

  test('never leaves for another port, scheme, host or a file', () => {
    expect(isWithinOrigin('http://192.168.1.20:4318/', origin)).toBe(false)
    expect(isWithinOrigin('https://192.168.1.20:4317/', origin)).toBe(false)
    expect(isWithinOrigin('http://192.168.1.21:4317/', origin)).toBe(false)
    expect(isWithinOrigin('http://192.168.1.20.evil.example:4317/', origin)).toBe(false)
    expect(isWithinOrigin('file:///etc/passwd', origin)).toBe(false)
    expect(isWithinOrigin('javascript:alert(1)', origin)).toBe(false)
    expect(isWithinOrigin('not a url', origin)).toBe(false)
  })
})
