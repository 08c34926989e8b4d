/**
 * The lesson to offer after `lessonId`: the next one in course order (lessons/index.yaml, as
 * `lessons:list` returns it) that can be opened. Undefined at the end of the course.
 */
export function nextLesson<L extends { id: string; available: boolean }>(
  lessons: readonly L[],
  lessonId: string
): L | undefined {
  const at = lessons.findIndex((lesson) => lesson.id === lessonId)
  return at < 0 ? undefined : lessons.slice(at + 1).find((lesson) => lesson.available)
}
