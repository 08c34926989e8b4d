/**
 * Whether a class learner's page is open, as the dashboard shows it. Apart from the contract so
 * the renderer reads the heartbeat period without bundling zod.
 */

/** The dashboard shows a learner offline at most this long after their page lost its connection. */
export const OFFLINE_WITHIN_MS = 30_000
/** How often an open learner page tells the host so (`class:heartbeat`). */
export const HEARTBEAT_MS = 10_000
/** How often the host re-checks who went quiet and who is stuck by time. */
export const PRESENCE_CHECK_MS = 5_000
/**
 * Silent this long, a learner is offline: checked every PRESENCE_CHECK_MS, that is within
 * OFFLINE_WITHIN_MS, and two heartbeats may be late before a slow network flaps a learner.
 */
export const SILENT_OFFLINE_MS = OFFLINE_WITHIN_MS - PRESENCE_CHECK_MS
