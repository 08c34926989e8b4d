import { z } from 'zod'

/**
 * The desktop app's classroom host: the instructor's own window starts a LAN listener serving a
 * class (docs/classroom.md, "Running a class from the desktop app"). Part of the main contract,
 * so it travels over Electron IPC; the web host answers these methods with an error, and a class
 * host never serves them over HTTP.
 */

/** An IPv4 or IPv6 literal; whether this machine has it is checked when a class host starts. */
const addressSchema = z
  .string()
  .trim()
  .min(1, 'pick the network address learners will reach this computer at')
  .max(45)
  .refine(
    (text) => z.ipv4().safeParse(text).success || z.ipv6().safeParse(text).success,
    'expected an IP address such as 192.168.1.20'
  )

export const classHostAddressSchema = z.strictObject({
  address: z.string(),
  /** The interface's name as the OS gives it (`wlan0`, `Wi-Fi`, `en0`). */
  interface: z.string(),
  /** 127.0.0.1: reachable from this computer only (a rehearsal, or a second browser here). */
  loopback: z.boolean()
})

export const runningClassHostSchema = z.strictObject({
  address: z.string(),
  origin: z.string(),
  port: z.number().int(),
  classId: z.string(),
  className: z.string(),
  joinCode: z.string(),
  joinUrl: z.string(),
  /** False once the instructor closed the class on the dashboard: its code no longer admits anyone. */
  classOpen: z.boolean(),
  /** Carries the instructor token: for the instructor's own window only, never shown to learners. */
  instructorUrl: z.string()
})
export type RunningClassHost = z.output<typeof runningClassHostSchema>

export const classHostStartSchema = z.strictObject({
  address: addressSchema,
  /** 0 picks any free port; the default stays the same across restarts so learners can rejoin. */
  port: z.number().int().min(0).max(65535).optional(),
  className: z.string().trim().min(1, 'leave the class name out, or give one').max(80).optional(),
  /** Start a new class even when one is still open (otherwise the newest open class continues). */
  newClass: z.boolean().optional()
})
export type ClassHostStart = z.output<typeof classHostStartSchema>

const empty = z.strictObject({})

export const classHostContract = {
  /** This machine's LAN IPv4 addresses learners may reach, then loopback. */
  'classroomHost:addresses': {
    input: empty,
    output: z.strictObject({ addresses: z.array(classHostAddressSchema) })
  },
  /** Starts the class host (or answers the one running on the same address), opening the instructor window. */
  'classroomHost:start': {
    input: classHostStartSchema,
    output: runningClassHostSchema
  },
  'classroomHost:status': {
    input: empty,
    output: z.strictObject({ running: runningClassHostSchema.nullable() })
  },
  /** Closes the listener; the class stays open, so learners rejoin when it starts again. */
  'classroomHost:stop': {
    input: empty,
    output: z.strictObject({ stopped: z.boolean() })
  },
  /** Opens (or brings forward) the instructor dashboard window of the running class host. */
  'classroomHost:openDashboard': {
    input: empty,
    output: z.strictObject({ opened: z.literal(true) })
  }
} as const
