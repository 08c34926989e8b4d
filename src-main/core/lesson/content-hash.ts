import { sha256 } from '../net/sha256.ts'

export function sha256Hex(text: string): string {
  return Array.from(sha256(text), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/**
 * The content hash stored with a learner's snapshot: any edit to any file of the lesson changes
 * it, and then resume.ts maps the old position onto the new steps. Files are hashed by name in
 * sorted order so directory listing order cannot change the hash.
 */
export function lessonContentHash(files: Readonly<Record<string, string>>): string {
  const names = Object.keys(files).sort()
  return sha256Hex(names.map((name) => `${name}\u0000${files[name] as string}\u0000`).join(''))
}
