import type * as Xterm from '@xterm/xterm'

/**
 * xterm is the heaviest part of the workspace, so it is a separate chunk. It is fetched once:
 * early, while the app starts, when the first page is a lab; otherwise when a terminal appears.
 */
let loading: Promise<typeof Xterm> | null = null

export function loadXterm(): Promise<typeof Xterm> {
  loading ??= Promise.all([import('@xterm/xterm'), import('@xterm/xterm/css/xterm.css')]).then(
    ([xterm]) => xterm
  )
  return loading
}
