import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { LessonFiles } from '../../src-main/core/lesson/course-loader.ts'

/** The Node implementation of the loader's file access, as the service and CLI write it. */
export function fsLessonFiles(root: string): LessonFiles {
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
