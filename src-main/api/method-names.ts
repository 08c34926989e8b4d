/**
 * Every API method, `domain:verb`. Kept apart from the zod contract so the Electron preload
 * (a sandboxed, bundled script) can expose the methods without shipping zod.
 */
export const methodNames = [
  'app:info',
  'classroomHost:addresses',
  'classroomHost:start',
  'classroomHost:status',
  'classroomHost:stop',
  'classroomHost:openDashboard',
  'lessons:list',
  'lessons:outline',
  'lesson:open',
  'lesson:send',
  'lesson:step',
  'lesson:reset',
  'quiz:submit',
  'shell:exec',
  'shell:complete',
  'trace:run',
  'trace:pcap',
  'trace:capturePoints',
  'sandbox:open',
  'sandbox:exec',
  'sandbox:trace',
  'sandbox:topology',
  'sandbox:diagram',
  'sandbox:inspect',
  'sandbox:reset',
  'lab:terminalInput',
  'lab:terminalInterrupt',
  'lab:topology',
  'lab:diagram',
  'lab:inspect',
  'progress:summary',
  'progress:export',
  'progress:import',
  'progress:reset',
  'review:due',
  'review:answer',
  'settings:get',
  'settings:set',
  'profiles:list',
  'profiles:create',
  'profiles:select',
  'profiles:rename',
  'profiles:delete'
] as const

export type MethodName = (typeof methodNames)[number]

export function isMethodName(name: string): name is MethodName {
  return (methodNames as readonly string[]).includes(name)
}
