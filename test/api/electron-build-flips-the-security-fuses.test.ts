import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { repoRoot } from '../e2e/harness.ts'

// Fuses are flipped by electron-builder when it packages the app (`npm run dist`, which needs
// Electron's binary); what is checked here is the configuration it flips them from.
const config = parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>
const fuses = config['electronFuses'] as Record<string, unknown> | undefined

describe('the packaged app’s Electron fuses', () => {
  test('turn off running as Node, NODE_OPTIONS, --inspect and file:// privileges', () => {
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false
    })
  })

  test('load the app only from an integrity-checked app.asar and encrypt cookies', () => {
    expect(fuses).toMatchObject({
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true
    })
    // onlyLoadAppFromAsar needs an app.asar to load: packing into one must stay on.
    expect(config['asar']).not.toBe(false)
  })

  test('are all fuses electron-builder knows, spelled as its schema spells them', () => {
    const schema = JSON.parse(
      readFileSync(join(repoRoot, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')
    ) as { definitions: Record<string, { properties: Record<string, unknown> }> }
    const known = Object.keys(schema.definitions['FuseOptionsV1']!.properties)
    expect(Object.keys(fuses ?? {}).filter((name) => !known.includes(name))).toEqual([])
    expect(Object.keys(fuses ?? {})).toHaveLength(8)
  })
})
