import { expect } from 'vitest'
import type { BrowserWindowConstructorOptions } from 'electron'

/**
 * Electron's security checklist as every window's webPreferences must read: written out here,
 * not imported, so a flag the app stops setting fails the test.
 */
export function expectHardened(webPreferences: BrowserWindowConstructorOptions['webPreferences']): void {
  expect(webPreferences).toMatchObject({
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false
  })
  expect(webPreferences).not.toHaveProperty('enableBlinkFeatures')
}
