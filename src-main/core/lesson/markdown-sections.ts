import type { LessonIssue } from './issues.ts'

/** A prose file split at its `## <step-id>` headings. */
export interface ProseSections {
  /** Text before the first step heading: the lesson's introduction. */
  intro: string
  /** Step id → Markdown of that step (heading excluded), in file order. */
  sections: Record<string, string>
}

const HEADING = /^## +(\S.*?)\s*$/
const FENCE = /^(```|~~~)/

/**
 * Splits prose at level-2 headings; deeper headings stay inside their step. Lines inside fenced
 * code blocks are never headings, so a `## comment` in a shell sample cannot start a step.
 */
export function splitProse(file: string, text: string): { prose: ProseSections; issues: LessonIssue[] } {
  const issues: LessonIssue[] = []
  const parts: { id: string | undefined; lines: string[] }[] = [{ id: undefined, lines: [] }]
  let fence: string | undefined
  text.split(/\r?\n/).forEach((line, index) => {
    const fenceMatch = FENCE.exec(line)
    if (fenceMatch) {
      if (fence === undefined) fence = fenceMatch[1]
      else if (fence === fenceMatch[1]) fence = undefined
    }
    const heading = fence === undefined ? HEADING.exec(line) : null
    if (heading) {
      const id = heading[1] as string
      if (parts.some((part) => part.id === id)) {
        issues.push({ file, path: `line ${index + 1}`, reason: `duplicate section "## ${id}"` })
      }
      parts.push({ id, lines: [] })
      return
    }
    ;(parts[parts.length - 1] as { lines: string[] }).lines.push(line)
  })
  const sections: Record<string, string> = {}
  let intro = ''
  for (const part of parts) {
    const body = part.lines.join('\n').trim()
    if (part.id === undefined) intro = body
    else if (!Object.hasOwn(sections, part.id)) sections[part.id] = body
  }
  return { prose: { intro, sections }, issues }
}
