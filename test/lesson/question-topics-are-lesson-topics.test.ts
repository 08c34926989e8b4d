import { describe, expect, it } from 'vitest'
import { formatIssue } from '../../src-main/core/lesson/issues.ts'
import { checkLessonRules } from '../../src-main/core/lesson/lesson-rules.ts'
import { lessonSchema } from '../../src-main/core/lesson/lesson.schema.ts'

/** A one-question lesson whose question carries `topic`. */
function lessonWithTopic(topic: string | undefined): ReturnType<typeof lessonSchema.parse> {
  const t = (en: string): { en: string; 'zh-CN': string } => ({ en, 'zh-CN': en })
  return lessonSchema.parse({
    formatVersion: 1,
    id: 'exam',
    title: t('Exam'),
    summary: t('Exam.'),
    objectives: [t('Pass.')],
    topics: ['bridge', 'vxlan'],
    estimatedMinutes: 5,
    steps: [
      {
        id: 'quiz',
        kind: 'quiz',
        title: t('Quiz'),
        questions: [
          {
            id: 'ttl',
            kind: 'numeric',
            ...(topic === undefined ? {} : { topic }),
            prompt: t('TTL?'),
            explanation: t('A bridge does not route.'),
            answer: 64
          }
        ]
      }
    ]
  })
}

describe('question topics', () => {
  it('a question may name one of its lesson topics', () => {
    expect(checkLessonRules('exam/lesson.yaml', lessonWithTopic('bridge'), undefined)).toEqual([])
  })

  it('a question without a topic is fine (it counts under every lesson topic)', () => {
    expect(checkLessonRules('exam/lesson.yaml', lessonWithTopic(undefined), undefined)).toEqual([])
  })

  it('a topic the lesson does not list is reported at the question', () => {
    const issues = checkLessonRules('exam/lesson.yaml', lessonWithTopic('services'), undefined)
    expect(issues.map(formatIssue)).toEqual([
      `exam/lesson.yaml: steps[0].questions[0].topic: "services" is not one of the lesson's topics`
    ])
  })

  it('a topic must be a kebab-case tag', () => {
    const bad = lessonSchema.safeParse(
      JSON.parse(
        JSON.stringify(lessonWithTopic('bridge')).replace('"topic":"bridge"', '"topic":"Bridge Stuff"')
      )
    )
    expect(bad.success).toBe(false)
  })
})
