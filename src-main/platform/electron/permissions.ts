import type { Session } from 'electron'
import { isTrustedSenderUrl } from './trusted-sender.ts'

/** The one permission a page of the app ever needs: writing what a Copy button copies. */
const clipboardWrite = 'clipboard-sanitized-write'

/** What Electron tells a permission request handler, as far as the decision needs it. */
export interface PermissionAsk {
  readonly permission: string
  /** The URL of the frame that asks. */
  readonly requestingUrl: string
  readonly isMainFrame: boolean
}

/**
 * Whether a page may have a permission: the clipboard write behind the lesson's Copy buttons,
 * asked by the app's own top-level page (`appUrl`: `app://podnet/` or the dev server) and
 * nothing else. Everything else (camera, notifications, clipboard reads, …) and every other page
 * or frame is refused.
 */
export function permissionAllowed(ask: PermissionAsk, appUrl: string | null): boolean {
  return (
    appUrl !== null &&
    ask.permission === clipboardWrite &&
    ask.isMainFrame &&
    isTrustedSenderUrl(ask.requestingUrl, appUrl)
  )
}

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0] & {}

/** The session's request handler: `appUrl` null refuses everything (the instructor's window). */
export function permissionRequestHandler(appUrl: string | null): RequestHandler {
  return (contents, permission, callback, details) => {
    const requestingUrl = details.requestingUrl || contents.getURL()
    callback(permissionAllowed({ permission, requestingUrl, isMainFrame: details.isMainFrame }, appUrl))
  }
}
