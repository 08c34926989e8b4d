import type { ClassroomOutput } from '../../../../src-main/api/classroom-contract.ts'
import { saveDownload } from '../state/lab-workspace.ts'

/** A chosen file's bytes as base64, the way `pack:upload` carries them. */
export async function fileAsBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  // In slices: one String.fromCharCode call over megabytes overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/**
 * Hands an exported pack to the instructor: the desktop app's save dialog has written it already
 * (`savedTo`, or nothing when cancelled); otherwise the browser downloads it.
 */
export function deliverPack(file: ClassroomOutput<'pack:export'>): void {
  if (file.savedTo === null && file.base64 !== '') saveDownload(file)
}
