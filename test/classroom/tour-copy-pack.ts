import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lessonsDir } from './classroom-host.ts'

/** index.yaml of the pack `workshop-pack`, whose one lesson is the folder 10-tour-copy. */
export const TOUR_COPY_INDEX = `formatVersion: 1
id: workshop-pack
title: { en: Workshop extras, zh-CN: 工作坊补充 }
description: { en: A copy of the tour under another id., zh-CN: 换了个 id 的导览副本。 }
lessons:
  - 10-tour-copy
`

/**
 * The pack `workshop-pack` at `root`: the course's own tour as the lesson `tour-copy`, a lesson
 * the course does not have yet. `edit` changes its lesson.yaml.
 */
export function tourCopyPack(root: string, edit: (yaml: string) => string = (yaml) => yaml): string {
  cpSync(join(lessonsDir, '00-tour'), join(root, '10-tour-copy'), { recursive: true })
  const yamlPath = join(root, '10-tour-copy', 'lesson.yaml')
  writeFileSync(yamlPath, edit(readFileSync(yamlPath, 'utf8').replace(/^id: tour$/m, 'id: tour-copy')))
  writeFileSync(join(root, 'index.yaml'), TOUR_COPY_INDEX)
  return root
}
