import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Writes a file only its owner may read (mode 0600), under a temporary name renamed into place,
 * so a reader never sees half a secret and no other user ever sees any of it.
 */
export function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  rmSync(temp, { force: true })
  writeFileSync(temp, text, { mode: 0o600, flag: 'wx' })
  // The umask may have taken bits away from the mode, never added any; chmod states it exactly.
  chmodSync(temp, 0o600)
  renameSync(temp, path)
}
