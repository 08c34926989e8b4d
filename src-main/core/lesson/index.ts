/** Public entry points of the lesson core; see README.md. */
export { type Course, type CourseEntry, type LessonFiles, type LoadedLesson, loadCourse, loadLesson } from './course-loader.ts'
export { formatIssue, type LessonIssue } from './issues.ts'
export * from './lesson.schema.ts'
export type { ProseSections } from './markdown-sections.ts'
