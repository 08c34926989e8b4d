import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { app, BrowserWindow, protocol, screen, session, type Session, type WebContents } from 'electron'
import type { RunningClassHost } from '../../api/class-host-contract.ts'
import { createService } from '../../api/service.ts'
import { streamHandlersOf } from '../../api/stream-dispatch.ts'
import { createClassHostLauncher, type InstructorWindow } from '../classroom-host.ts'
import { contentSecurityPolicy } from '../csp.ts'
import { appEntryUrl, appScheme, appSchemePrivileges, protocolResponse } from './app-protocol.ts'
import { registerIpc, registerStreams } from './ipc.ts'
import { packDialogs } from './pack-dialogs.ts'
import { permissionRequestHandler } from './permissions.ts'
import { installMenu } from './menu.ts'
import {
  instructorPartition,
  instructorWindowOptions,
  isWithinOrigin,
  mainWindowOptions,
  restorableBounds,
  type WindowBounds
} from './window-options.ts'

// Composition root of the desktop app: everything here is glue; behaviour lives in api/ and core/.

/** The built renderer: the main window's pages (over `app://`) and what a class host serves learners. */
const rendererDir = join(import.meta.dirname, '../renderer')

// Production pages come from app://podnet/ (app-protocol.ts), never file://; development keeps
// electron-vite's dev server.
const rendererUrl = process.env['ELECTRON_RENDERER_URL'] ? process.env['ELECTRON_RENDERER_URL'] : appEntryUrl

// Only before the app is ready may a scheme get privileges.
protocol.registerSchemesAsPrivileged([appSchemePrivileges])

function resourcePath(...parts: string[]): string {
  return app.isPackaged ? join(process.resourcesPath, ...parts) : join(app.getAppPath(), ...parts)
}

/**
 * The app icon for the windows, rendered from src-renderer/public/icon.svg by `npm run icon`;
 * packaged beside the lessons (electron-builder.yml).
 */
function windowIcon(): string | undefined {
  const path = resourcePath('build', 'icon.png')
  return existsSync(path) ? path : undefined
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
  const window = new BrowserWindow(
    mainWindowOptions(join(import.meta.dirname, '../preload/preload.cjs'), bounds, windowIcon())
  )
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

/** Keeps a window (and any it opens) on the class host's origin: no other site, no file://. */
function confineToOrigin(contents: WebContents, origin: string): void {
  contents.setWindowOpenHandler(({ url }) =>
    isWithinOrigin(url, origin)
      ? { action: 'allow', overrideBrowserWindowOptions: instructorWindowOptions('Podnet Lab', windowIcon()) }
      : { action: 'deny' }
  )
  contents.on('did-create-window', (child) => confineToOrigin(child.webContents, origin))
  contents.on('will-navigate', (event, url) => {
    if (!isWithinOrigin(url, origin)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** `appUrl`: the page allowed the Copy buttons' clipboard write; null allows nothing. */
function harden(target: Session, appUrl: string | null): void {
  target.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] }
    })
  })
  target.setPermissionRequestHandler(permissionRequestHandler(appUrl))
}

/** The instructor dashboard of the running class host, in a second window without a preload. */
function instructorWindow(): InstructorWindow {
  let window: BrowserWindow | null = null
  let shownUrl = ''
  return {
    open: (host: RunningClassHost) => {
      if (window && !window.isDestroyed() && shownUrl === host.instructorUrl) {
        if (window.isMinimized()) window.restore()
        window.focus()
        return
      }
      window?.destroy()
      const opened = new BrowserWindow(
        instructorWindowOptions(`Podnet Lab — ${host.className}`, windowIcon())
      )
      window = opened
      shownUrl = host.instructorUrl
      confineToOrigin(opened.webContents, host.origin)
      opened.once('ready-to-show', () => opened.show())
      opened.on('closed', () => {
        if (window === opened) window = null
      })
      void opened.loadURL(host.instructorUrl)
    },
    close: () => {
      window?.destroy()
      window = null
    }
  }
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
    // On the default session only: the instructor's window, in its own partition, cannot load it.
    protocol.handle(appScheme, (request) => protocolResponse(request, rendererDir))
    harden(session.defaultSession, rendererUrl)
    harden(session.fromPartition(instructorPartition), null)

    const nativeBinding = resourcePath('.electron-native', 'better_sqlite3.node')
    const dataDir = app.getPath('userData')
    const packsDir = join(dataDir, 'packs')
    const lessonsDir = resourcePath('lessons')
    const classHost = createClassHostLauncher({
      // Called only once a class host starts, long after the service below exists.
      service: () => service,
      // The class host serves learners the built renderer, also in development.
      rendererDir,
      packsDir,
      lessonsDir,
      dataDir,
      packDialogs: packDialogs(),
      instructorWindow: instructorWindow()
    })
    const service = createService({
      dataDir,
      lessonsDir,
      packsDir,
      version: app.getVersion(),
      // electron-vite builds the lab worker as a sibling entry of this file (electron.vite.config.ts).
      labs: { workerUrl: new URL('./lab-worker.js', import.meta.url) },
      classHost,
      ...(existsSync(nativeBinding) ? { nativeBinding } : {})
    })
    installMenu()
    registerIpc(service.handlers, () => mainWindow?.webContents ?? null, rendererUrl)
    // The app's window serves no classroom stream: its class dashboard opens in the class host's
    // own window, over that host's socket.
    registerStreams(streamHandlersOf(service.streams), () => mainWindow?.webContents ?? null, rendererUrl)
    const openMainWindow = (): void => {
      const window = createWindow()
      mainWindow = window
      // The class host belongs to the app's window: closing it ends the class host and its dashboard.
      window.on('closed', () => {
        if (mainWindow === window) mainWindow = null
        void classHost.stop()
      })
    }
    openMainWindow()
    // macOS keeps the app running without windows; IPC answers the window opened here.
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openMainWindow()
    })
    // Learners' requests may still be in flight: close the listener before the store under it.
    let quitting = false
    app.on('before-quit', (event) => {
      if (quitting) return
      quitting = true
      if (!classHost.status()) return service.close()
      event.preventDefault()
      void classHost.stop().finally(() => {
        service.close()
        app.quit()
      })
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
