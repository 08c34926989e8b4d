import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import {
  instructorWindowOptions,
  mainWindowOptions
} from '../../src-main/platform/electron/window-options.ts'
import { repoRoot } from '../e2e/harness.ts'

// One icon everywhere: src-renderer/public/icon.svg is the pages' favicon, and
// scripts/render-icon.ts renders it to build/icon.png for the installers and the windows.

const png = join(repoRoot, 'build', 'icon.png')

/** Width and height from a PNG's IHDR chunk; throws when the file is not a PNG. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file)
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  if (!bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR')
    throw new Error(`${file} is not a PNG`)
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

describe('the rendered app icon', () => {
  test('is a square PNG of at least 512×512, what electron-builder derives .icns and .ico from', () => {
    const { width, height } = pngSize(png)
    expect(width).toBe(height)
    expect(width).toBeGreaterThanOrEqual(512)
  })

  test('electron-builder takes it for every target and ships it for the window', () => {
    const config = parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as {
      icon?: string
      extraResources?: { from: string; to: string }[]
    }
    expect(config.icon).toBe('build/icon.png')
    expect(config.extraResources).toContainEqual({ from: 'build/icon.png', to: 'build/icon.png' })
  })

  test('the main and instructor windows show it', () => {
    const bounds = { width: 1200, height: 800, maximized: false }
    expect(mainWindowOptions('/app/out/preload/preload.cjs', bounds, png).icon).toBe(png)
    expect(instructorWindowOptions('Podnet Lab — Room 4', png).icon).toBe(png)
  })
})
