import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, screen, session } from 'electron'
import { createService } from '../../api/service.ts'
import { contentSecurityPolicy } from '../csp.ts'
import { registerIpc } from './ipc.ts'
import { installMenu } from './menu.ts'
import { mainWindowOptions, restorableBounds, type WindowBounds } from './window-options.ts'

// Composition root of the desktop app: everything here is glue; behaviour lives in api/ and core/.

const rendererUrl = process.env['ELECTRON_RENDERER_URL']
  ? process.env['ELECTRON_RENDERER_URL']
  : pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href

function resourcePath(...parts: string[]): string {
  return app.isPackaged ? join(process.resourcesPath, ...parts) : join(app.getAppPath(), ...parts)
}

const boundsFile = (): string => join(app.getPath('userData'), 'window-state.json')

function loadBounds(): WindowBounds {
  let saved: unknown = null
  try {
    saved = JSON.parse(readFileSync(boundsFile(), 'utf8'))
  } catch {
    // First start or an unreadable file: open at the default size.
  }
  return restorableBounds(
    saved,
    screen.getAllDisplays().map((d) => d.workArea)
  )
}

function saveBounds(window: BrowserWindow): void {
  const b = window.getNormalBounds()
  const state: WindowBounds = { ...b, maximized: window.isMaximized() }
  try {
    writeFileSync(boundsFile(), JSON.stringify(state))
  } catch {
    // Losing the window position is harmless; never block quitting on it.
  }
}

function createWindow(): BrowserWindow {
  const bounds = loadBounds()
  const window = new BrowserWindow(mainWindowOptions(join(import.meta.dirname, '../preload/preload.cjs'), bounds))
  if (bounds.maximized) window.maximize()
  window.once('ready-to-show', () => window.show())
  window.on('close', () => saveBounds(window))
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== window.webContents.getURL()) event.preventDefault()
  })
  window.webContents.on('will-attach-webview', (event) => event.preventDefault())
  void window.loadURL(rendererUrl)
  return window
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  let mainWindow: BrowserWindow | null = null

  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-redirect', (event) => event.preventDefault())
  })

  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] }
      })
    })
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))

    const nativeBinding = resourcePath('.electron-native', 'better_sqlite3.node')
    const service = createService({
      dataDir: app.getPath('userData'),
      lessonsDir: resourcePath('lessons'),
      version: app.getVersion(),
      ...(existsSync(nativeBinding) ? { nativeBinding } : {})
    })
    installMenu()
    registerIpc(service.handlers, () => mainWindow?.webContents ?? null, rendererUrl)
    mainWindow = createWindow()
    app.on('before-quit', () => service.close())
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
}
