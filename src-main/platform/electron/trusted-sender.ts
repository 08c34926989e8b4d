/**
 * IPC is answered only for the app's own top-level page: `app://podnet/` in production, the
 * electron-vite dev server in development. Anything else (a navigated-away frame, an iframe, a
 * `file://` page) is refused.
 *
 * Scheme and host are compared rather than `URL.origin`: for a scheme WHATWG URL does not know,
 * such as `app:`, `origin` is the string "null" for every URL, so comparing origins would trust
 * any page of any unknown scheme.
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
  return expected.host !== '' && sender.protocol === expected.protocol && sender.host === expected.host
}
