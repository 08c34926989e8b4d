/**
 * The IPC channel on which a window's preload asks for its stream port, and main answers with
 * it (a MessagePort carrying api/streams.ts's wire protocol). Kept apart from the zod contract:
 * the sandboxed preload bundles what it imports.
 */
export const streamPortChannel = 'streams:port'
