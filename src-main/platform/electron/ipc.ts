import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { dispatch, type Handlers } from '../../api/dispatch.ts'
import type { Envelope } from '../../api/envelope.ts'
import { methodNames } from '../../api/method-names.ts'
import { isTrustedSenderUrl } from './trusted-sender.ts'

/** One `ipcMain.handle` per contract method; each checks its sender before validating input. */
export function registerIpc(handlers: Handlers, window: () => WebContents | null, rendererUrl: string): void {
  for (const method of methodNames) {
    ipcMain.handle(method, async (event: IpcMainInvokeEvent, input: unknown): Promise<Envelope<unknown>> => {
      const frameUrl = event.senderFrame?.url ?? ''
      if (
        event.sender !== window() ||
        event.senderFrame?.parent ||
        !isTrustedSenderUrl(frameUrl, rendererUrl)
      ) {
        return {
          ok: false,
          error: { code: 'unauthorized', message: `IPC from an untrusted frame: ${frameUrl}` }
        }
      }
      return dispatch(handlers, method, input)
    })
  }
}
