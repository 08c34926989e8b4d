import { loadCourse, type LoadedLesson } from '../../src-main/core/lesson/course-loader.ts'
import { lessonFilesFromDir as fsLessonFiles } from '../../src-main/api/lesson-files.ts'

export const LESSONS_DIR = new URL('../../lessons/', import.meta.url).pathname

/** The repository's tour lesson, loaded the way the app loads it. */
export function loadTour(): LoadedLesson {
  const entry = loadCourse(fsLessonFiles(LESSONS_DIR)).lessons.find((e) => e.dir === '00-tour')
  if (entry?.status !== 'available') throw new Error(`00-tour did not load: ${JSON.stringify(entry)}`)
  return entry.lesson
}
