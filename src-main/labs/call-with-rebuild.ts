import { LabStopped, type LabPool, type Reopen } from './lab-pool.ts'
import type { LabOp, LabReplies, LabRequest } from './protocol.ts'

/** A rebuild that keeps hitting stopped commands gives up after this many of them. */
export const maxRebuildStops = 3

/**
 * Runs one request on a lab whose journal lives with the caller. Every stop is handed to
 * `onStopped` first, so the caller marks the running entry stopped and never replays it. A stop
 * during the rebuild came from an old entry, not from this request, so the request is tried
 * again on a lab rebuilt without that entry; a stop of the request itself is the caller's answer.
 */
export async function callWithRebuild<O extends LabOp>(
  pool: LabPool,
  request: Extract<LabRequest, { op: O }>,
  reopen: () => Reopen,
  onStopped: (stop: LabStopped) => void
): Promise<LabReplies[O]> {
  for (let stops = 0; ; stops++) {
    try {
      return await pool.call(request, reopen)
    } catch (error) {
      if (!(error instanceof LabStopped)) throw error
      onStopped(error)
      if (!error.duringReopen || stops >= maxRebuildStops) throw error
    }
  }
}
