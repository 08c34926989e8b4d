import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { zipSync, type Zippable } from 'fflate'
import { stringify } from 'yaml'
import { lessonFilesFromDir } from '../api/lesson-files.ts'
import { loadCourse } from '../core/lesson/course-loader.ts'
import type { CourseIndex } from '../core/lesson/lesson.schema.ts'

/** One lesson to put into a pack: the course (or pack) folder it lives in and its folder there. */
export interface LessonSource {
  /** The folder holding the lesson's course `index.yaml`: the lessons folder or an installed pack. */
  root: string
  /** The lesson's folder under `root` (`00-tour`). */
  dir: string
}

/** A lesson pack as the importer reads it: `index.yaml` at the top, one folder per lesson. */
export interface ExportedPack {
  fileName: string
  zip: Uint8Array
}

function folderFiles(root: string, prefix: string, into: Zippable): void {
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    into[
      prefix +
        path
          .slice(root.length + 1)
          .split('\\')
          .join('/')
    ] = readFileSync(path)
  }
}

const fileName = (packId: string): string => `${packId}.podnet-pack.zip`

/** An installed pack, exactly as it sits in the packs folder (its own index.yaml included). */
export function exportInstalledPack(packDir: string, packId: string): ExportedPack {
  const files: Zippable = {}
  folderFiles(packDir, '', files)
  return { fileName: fileName(packId), zip: zipSync(files) }
}

/**
 * Chosen lessons, in the order given, as a new pack with `index`'s id and title. Each source's topic names come along
 * for the tags its lessons use, since an index that names topics must name every tag its lessons use.
 */
export function exportLessons(
  sources: readonly LessonSource[],
  index: Pick<CourseIndex, 'id' | 'title' | 'description'>
): ExportedPack {
  const files: Zippable = {}
  const topics: NonNullable<CourseIndex['topics']> = {}
  // Lessons from two packs may share a folder name; the second gets a suffix (`10-intro-2`).
  const folders: string[] = []
  for (const source of sources) {
    let folder = source.dir
    for (let n = 2; folders.includes(folder); n++) folder = `${source.dir}-${n}`
    folders.push(folder)
    folderFiles(join(source.root, source.dir), `${folder}/`, files)
    const course = loadCourse(lessonFilesFromDir(source.root))
    const named = course.index?.topics
    const entry = course.lessons.find((l) => l.dir === source.dir)
    if (!named || entry?.status !== 'available') continue
    for (const tag of entry.lesson.lesson.topics) {
      const name = named[tag]
      if (name) topics[tag] = name
    }
  }
  const written: CourseIndex = {
    formatVersion: 1,
    ...index,
    ...(Object.keys(topics).length > 0 ? { topics } : {}),
    lessons: folders
  }
  files['index.yaml'] = new TextEncoder().encode(stringify(written))
  return { fileName: fileName(index.id), zip: zipSync(files) }
}
