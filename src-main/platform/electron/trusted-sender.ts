/**
 * IPC is answered only for the app's own top-level page: the built renderer file in production,
 * the electron-vite dev server in development. Anything else (a navigated-away frame, an iframe)
 * is refused.
 */
export function isTrustedSenderUrl(senderUrl: string, rendererUrl: string): boolean {
  let sender: URL
  let expected: URL
  try {
    sender = new URL(senderUrl)
    expected = new URL(rendererUrl)
  } catch {
    return false
  }
  if (expected.protocol === 'file:')
    return sender.protocol === 'file:' && sender.pathname === expected.pathname
  return sender.origin === expected.origin
}
