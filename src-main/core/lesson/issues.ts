import type { z } from 'zod'

/**
 * A problem found in lesson content, printed as `file: path: reason`
 * (`00-tour/lesson.yaml: steps[2].goal.pod: no pod "web-9" in scenario.yaml`).
 * `path` is a location inside the file (YAML path, Markdown heading) or empty for the whole file.
 */
export interface LessonIssue {
  /** File relative to the lessons root, e.g. `00-tour/lesson.yaml`. */
  file: string
  /** Location inside the file; empty when the issue concerns the whole file. */
  path: string
  /** What is wrong, in English for authors. */
  reason: string
}

export function formatIssue(issue: LessonIssue): string {
  return issue.path === ''
    ? `${issue.file}: ${issue.reason}`
    : `${issue.file}: ${issue.path}: ${issue.reason}`
}

/** `['steps', 2, 'goal', 'of', 0]` → `steps[2].goal.of[0]`, the way authors navigate YAML. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else out += out === '' ? String(segment) : `.${String(segment)}`
  }
  return out
}

/** zod's messages rephrased for authors: a missing field says so instead of "received undefined". */
export function issuesFromZod(
  file: string,
  error: z.ZodError,
  basePath: readonly PropertyKey[] = []
): LessonIssue[] {
  return error.issues.map((issue) => {
    const path = [...basePath, ...issue.path]
    if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      return { file, path: formatPath(path), reason: 'missing required field' }
    }
    if (issue.code === 'unrecognized_keys') {
      return {
        file,
        path: formatPath(path),
        reason: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      }
    }
    // zod reports an unknown discriminator value with the accepted values attached.
    const union = issue as { discriminator?: unknown; options?: unknown }
    if (
      issue.code === 'invalid_union' &&
      typeof union.discriminator === 'string' &&
      Array.isArray(union.options)
    ) {
      return {
        file,
        path: formatPath(path),
        reason: `unknown ${union.discriminator}; expected one of ${union.options.map(String).join(', ')}`
      }
    }
    return { file, path: formatPath(path), reason: issue.message }
  })
}
