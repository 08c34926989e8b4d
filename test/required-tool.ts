import { existsSync } from 'node:fs'

/**
 * Why a test that needs an outside program cannot run here, or null when it can. Off CI a missing
 * program is a loud skip; on CI (CI=true) it is a failure, since `.ci/run` installs every one and
 * a green run that never opened the file in the real tool proves nothing.
 */
export function toolUnavailable(path: string, install: string): string | null {
  if (existsSync(path)) return null
  const missing = `${path} is missing (${install})`
  if (process.env['CI'] === 'true') throw new Error(`this test must run on CI, but ${missing}`)
  console.warn(`SKIPPING: ${missing}`)
  return missing
}
