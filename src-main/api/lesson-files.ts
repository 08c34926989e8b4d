import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
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
