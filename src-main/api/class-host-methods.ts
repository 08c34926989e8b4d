import { z } from 'zod'
import type { ClassHostStart, RunningClassHost } from './class-host-contract.ts'
import { describeIssues, type Handlers } from './dispatch.ts'
import { ApiError } from './envelope.ts'
import { reason } from './error-reasons.ts'

export interface ClassHostAddress {
  address: string
  interface: string
  loopback: boolean
}

/**
 * What starts and stops a LAN listener for a class. The Electron main injects one into
 * createService (platform/classroom-host.ts builds it); the web host has none, because its own
 * command line already decides where it listens.
 */
export interface ClassHostLauncher {
  /** Read when asked: Wi-Fi may have changed networks since the app started. */
  addresses(): ClassHostAddress[]
  start(request: ClassHostStart): Promise<RunningClassHost>
  status(): RunningClassHost | null
  /** False when no class host was running. */
  stop(): Promise<boolean>
  /** Throws an ApiError when there is no host running or no window to open it in. */
  openDashboard(): void
}

export type ClassHostMethodName =
  | 'classroomHost:addresses'
  | 'classroomHost:start'
  | 'classroomHost:status'
  | 'classroomHost:stop'
  | 'classroomHost:openDashboard'

export const classHostMethodNames: readonly ClassHostMethodName[] = [
  'classroomHost:addresses',
  'classroomHost:start',
  'classroomHost:status',
  'classroomHost:stop',
  'classroomHost:openDashboard'
]

const isLoopbackAddress = (address: string): boolean => /^127\./.test(address) || address === '::1'

/**
 * The address must be one this machine has now: listening on an address it does not have fails
 * with an OS error, and a typo would hand learners a join URL that leads nowhere.
 */
function checkAddress(address: string, known: readonly ClassHostAddress[]): void {
  const listed = known.filter((a) => !a.loopback).map((a) => a.address)
  const schema = z.strictObject({
    address: z
      .string()
      .refine(
        (a) => listed.includes(a) || isLoopbackAddress(a),
        listed.length > 0
          ? `"${address}" is not an address of this computer; pick one of ${listed.join(', ')} (or 127.0.0.1 for this computer only)`
          : `"${address}" is not an address of this computer, which is on no network now; connect it to the room's network, or use 127.0.0.1 for this computer only`
      )
  })
  const checked = schema.safeParse({ address })
  if (!checked.success) {
    throw new ApiError('invalid_input', describeIssues(checked.error), {
      reason: reason('address_gone', { address })
    })
  }
}

/** The contract's classroomHost methods over an injected launcher, or answering why there is none. */
export function classHostHandlers(launcher: ClassHostLauncher | null): Pick<Handlers, ClassHostMethodName> {
  const need = (method: ClassHostMethodName): ClassHostLauncher => {
    if (launcher) return launcher
    throw new ApiError(
      'unknown_method',
      `${method} is the desktop app's: the web host runs a class with \`npm run serve -- --classroom --host <address>\``,
      { reason: reason('desktop_only', { method }) }
    )
  }
  return {
    'classroomHost:addresses': () => ({ addresses: need('classroomHost:addresses').addresses() }),
    'classroomHost:start': async (request) => {
      const host = need('classroomHost:start')
      checkAddress(request.address, host.addresses())
      return host.start(request)
    },
    'classroomHost:status': () => ({ running: need('classroomHost:status').status() }),
    'classroomHost:stop': async () => ({ stopped: await need('classroomHost:stop').stop() }),
    'classroomHost:openDashboard': () => {
      need('classroomHost:openDashboard').openDashboard()
      return { opened: true as const }
    }
  }
}
