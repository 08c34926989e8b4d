import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { LessonFiles } from '../core/lesson/course-loader.ts'

/** The lesson loader's file access over a real folder (the core itself never touches fs). */
export function lessonFilesFromDir(root: string): LessonFiles {
  return {
    listDir(dir) {
      try {
        const path = join(root, dir)
        return statSync(path).isDirectory() ? readdirSync(path).sort() : undefined
      } catch {
        return undefined
      }
    },
    readText(path) {
      try {
        return readFileSync(join(root, path), 'utf8')
      } catch {
        return undefined
      }
    }
  }
}

/**
 * A cheap fingerprint of every file under the lessons folder (path, size, mtime), so the service
 * re-parses lessons only after an author saved something, not on every call.
 */
export function lessonsFingerprint(root: string): string {
  const parts: string[] = []
  const walk = (dir: string): void => {
    let names: string[]
    try {
      names = readdirSync(dir).sort()
    } catch {
      return
    }
    for (const name of names) {
      const path = join(dir, name)
      try {
        const stat = statSync(path)
        if (stat.isDirectory()) walk(path)
        else parts.push(`${relative(root, path)}:${stat.size}:${stat.mtimeMs}`)
      } catch {
        parts.push(`${relative(root, path)}:gone`)
      }
    }
  }
  walk(root)
  return parts.join('\n')
}
