import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import { glossaryTermsLinkedBy, renderMarkdown } from '../../src-renderer/src/lib/markdown.ts'

const linkedTerms = (html: string): string[] =>
  [...html.matchAll(/class="glossary-term" data-term="([^"]+)"/g)].map((m) => m[1] as string)

/** A step as the lesson view renders it: with the terms the steps before it linked. */
const renderStep = (steps: readonly string[], at: number): string =>
  renderMarkdown(steps[at] as string, { glossaryLinked: glossaryTermsLinkedBy(steps.slice(0, at)) })

/** A lesson file's steps, each the prose under its `## <step-id>` heading. */
const stepsOf = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split(/^## .*$/m)
    .slice(1)

describe('glossary links across the steps of a lesson', () => {
  test('a term is linked on the first step that mentions it and stays text on the later ones', () => {
    const steps = ['Nothing to look up here.', 'The bridge forwards frames.', 'Each bridge port has a veth.']
    expect(linkedTerms(renderStep(steps, 0))).toEqual([])
    expect(linkedTerms(renderStep(steps, 1))).toEqual(['bridge'])
    expect(linkedTerms(renderStep(steps, 2))).toEqual(['veth'])
    expect(renderStep(steps, 2)).toContain('Each bridge port')
  })

  test('in every lesson and language, no term is linked on two steps, and none first met goes unlinked', () => {
    const lessons = resolve(import.meta.dirname, '../../lessons')
    for (const dir of readdirSync(lessons).filter((d) => /^\d\d[a-z]?-/.test(d)))
      for (const file of readdirSync(join(lessons, dir)).filter((f) => f.endsWith('.md'))) {
        const steps = stepsOf(join(lessons, dir, file))
        const perStep = steps.map((_, at) => linkedTerms(renderStep(steps, at)))
        const all = perStep.flat()
        expect(all.length, `${dir}/${file}`).toBe(new Set(all).size)
        expect(new Set(all), `${dir}/${file}`).toEqual(glossaryTermsLinkedBy(steps))
      }
  })
})
