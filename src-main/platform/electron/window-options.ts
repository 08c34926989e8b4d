import type { BrowserWindowConstructorOptions, Rectangle } from 'electron'

export interface WindowBounds {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}

export const defaultBounds: WindowBounds = { width: 1280, height: 820, maximized: false }

/** Electron's security checklist, the same for every window the app opens. */
const hardenedWebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false
} as const satisfies BrowserWindowConstructorOptions['webPreferences']

/**
 * The main window's options, hardened per Electron's security checklist. A pure function so a
 * test can assert every flag without the Electron binary. `icon` is the app icon's PNG: Linux and
 * Windows show it for the window (macOS takes the app bundle's).
 */
export function mainWindowOptions(
  preloadPath: string,
  bounds: WindowBounds,
  icon?: string
): BrowserWindowConstructorOptions {
  return {
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    width: bounds.width,
    height: bounds.height,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Podnet Lab',
    ...(icon !== undefined ? { icon } : {}),
    webPreferences: {
      preload: preloadPath,
      ...hardenedWebPreferences
    }
  }
}

/**
 * Restores remembered bounds only if they still overlap a display (a monitor may have been
 * unplugged since); otherwise the window opens centred at its remembered size.
 */
export function restorableBounds(saved: unknown, displays: Rectangle[]): WindowBounds {
  if (typeof saved !== 'object' || saved === null) return defaultBounds
  const s = saved as Partial<Record<keyof WindowBounds, unknown>>
  const width = typeof s.width === 'number' && s.width >= 400 ? Math.round(s.width) : defaultBounds.width
  const height = typeof s.height === 'number' && s.height >= 300 ? Math.round(s.height) : defaultBounds.height
  const maximized = s.maximized === true
  if (typeof s.x !== 'number' || typeof s.y !== 'number') return { width, height, maximized }
  const x = Math.round(s.x)
  const y = Math.round(s.y)
  const visible = displays.some(
    (d) => x < d.x + d.width - 50 && x + width > d.x + 50 && y >= d.y - 10 && y < d.y + d.height - 50
  )
  return visible ? { x, y, width, height, maximized } : { width, height, maximized }
}

/** In memory only (no `persist:`): nothing the dashboard keeps outlives the app or mixes with the app window's. */
export const instructorPartition = 'classroom-instructor'

/**
 * The instructor dashboard's window: it loads the class host over HTTP (the instructor URL), so it
 * gets no preload at all — no `window.podnet`, only the host's token-checked HTTP API — and a
 * session of its own.
 */
export function instructorWindowOptions(title: string, icon?: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 700,
    minHeight: 500,
    show: false,
    title,
    ...(icon !== undefined ? { icon } : {}),
    webPreferences: {
      partition: instructorPartition,
      ...hardenedWebPreferences
    }
  }
}

/** Whether a navigation or `window.open` stays on the class host's origin (`http://192.168.1.20:4317`). */
export function isWithinOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === new URL(origin).origin
  } catch {
    return false
  }
}
