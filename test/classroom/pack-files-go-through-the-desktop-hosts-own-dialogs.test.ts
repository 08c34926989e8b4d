import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DialogWords, PackDialogs } from '../../src-main/classroom/classroom.ts'
import { tempDir } from '../e2e/harness.ts'
import { lessonsDir, ok, post, startClassroomHost, type ClassroomHost } from './classroom-host.ts'

const words: DialogWords = { title: '导入课程包', fileType: '课程包（.zip）' }

/**
 * The desktop app's dialogs stand on Electron, which tests never load: these answer as a user
 * would, and record what they were asked, so the handlers around them run for real.
 */
function scriptedDialogs(answers: { open: string | null; save: string | null }): {
  dialogs: PackDialogs
  asked: string[]
} {
  const asked: string[] = []
  return {
    asked,
    dialogs: {
      open: (w) => {
        asked.push(`open ${w.title} / ${w.fileType}`)
        return Promise.resolve(answers.open)
      },
      save: (w, fileName) => {
        asked.push(`save ${w.title} / ${w.fileType} as ${fileName}`)
        return Promise.resolve(answers.save)
      }
    }
  }
}

describe('lesson pack files go through the desktop host’s own dialogs', () => {
  const data = tempDir('podnet-pack-dialogs-')
  const plainData = tempDir('podnet-pack-no-dialogs-')
  const work = tempDir('podnet-pack-dialogs-src-')
  const answers: { open: string | null; save: string | null } = { open: null, save: null }
  const scripted = scriptedDialogs(answers)
  let desktop: ClassroomHost
  let plain: ClassroomHost

  beforeAll(async () => {
    desktop = await startClassroomHost(data.path, { packDialogs: scripted.dialogs })
    plain = await startClassroomHost(plainData.path)
    const pack = join(work.path, 'pack')
    cpSync(join(lessonsDir, '00-tour'), join(pack, '10-tour-copy'), { recursive: true })
    const yamlPath = join(pack, '10-tour-copy', 'lesson.yaml')
    writeFileSync(yamlPath, readFileSync(yamlPath, 'utf8').replace(/^id: tour$/m, 'id: tour-copy'))
    writeFileSync(
      join(pack, 'index.yaml'),
      'formatVersion: 1\nid: dialog-pack\ntitle: { en: Picked, zh-CN: 选的 }\n' +
        'description: { en: Picked., zh-CN: 选的。 }\nlessons: [10-tour-copy]\n'
    )
  })

  afterAll(async () => {
    await desktop.stop()
    await plain.stop()
    data.remove()
    plainData.remove()
    work.remove()
  })

  test('a cancelled open dialog imports nothing', async () => {
    const picked = await ok(desktop.host.origin, 'pack:pick', words, desktop.instructorToken)
    expect(picked).toEqual({ imported: null })
    expect(scripted.asked).toEqual(['open 导入课程包 / 课程包（.zip）'])
  })

  test('the pack chosen in the open dialog is checked and installed', async () => {
    answers.open = join(work.path, 'pack')
    const picked = await ok<{ imported: { ok: boolean; packId: string } }>(
      desktop.host.origin,
      'pack:pick',
      words,
      desktop.instructorToken
    )
    expect(picked.imported).toMatchObject({ ok: true, packId: 'dialog-pack' })
    const listed = await ok(desktop.host.origin, 'pack:list', {}, desktop.instructorToken)
    expect(listed).toEqual({
      packs: [{ packId: 'dialog-pack', title: { en: 'Picked', 'zh-CN': '选的' }, lessons: ['tour-copy'] }],
      nativeDialogs: true
    })
  })

  test('an export saved with the dialog lands where the instructor chose, and nothing travels back', async () => {
    answers.save = join(work.path, 'saved.zip')
    const saved = await ok<{ savedTo: string | null; base64: string }>(
      desktop.host.origin,
      'pack:export',
      { packId: 'dialog-pack', dialog: { title: '保存课程包', fileType: '课程包（.zip）' } },
      desktop.instructorToken
    )
    expect(saved).toMatchObject({ savedTo: answers.save, base64: '' })
    expect(scripted.asked.at(-1)).toBe('save 保存课程包 / 课程包（.zip） as dialog-pack.podnet-pack.zip')
    expect(Object.keys(unzipSync(readFileSync(answers.save))).sort()).toContain('10-tour-copy/lesson.yaml')
  })

  test('a cancelled save dialog writes no file', async () => {
    answers.save = null
    const saved = await ok(
      desktop.host.origin,
      'pack:export',
      { packId: 'dialog-pack', dialog: words },
      desktop.instructorToken
    )
    expect(saved).toMatchObject({ savedTo: null, base64: '' })
    expect(existsSync(join(work.path, 'dialog-pack.podnet-pack.zip'))).toBe(false)
  })

  test('a web host has no dialog of its own and says so, so the page offers a file input', async () => {
    const listed = await ok(plain.host.origin, 'pack:list', {}, plain.instructorToken)
    expect(listed).toEqual({ packs: [], nativeDialogs: false })
    const answer = await post(plain.host.origin, 'pack:pick', words, plain.instructorToken)
    expect(answer.status).toBe(403)
    expect(answer.body.error?.reason).toEqual({ id: 'desktop_only', params: { method: 'pack:pick' } })
  })
})

describe('a dialog the instructor keeps open', () => {
  const data = tempDir('podnet-pack-slow-dialog-')
  const idleTimeoutMs = 300
  let host: ClassroomHost

  beforeAll(async () => {
    host = await startClassroomHost(data.path, {
      limits: { idleTimeoutMs },
      packDialogs: {
        // Answered long after the host would have closed a silent socket.
        open: () => new Promise((resolve) => setTimeout(() => resolve(null), idleTimeoutMs * 5)),
        save: () => Promise.resolve(null)
      }
    })
  })

  afterAll(async () => {
    await host.stop()
    data.remove()
  })

  test('is answered on the same call: the host never cuts off a call it is still answering', async () => {
    expect(await ok(host.host.origin, 'pack:pick', words, host.instructorToken)).toEqual({ imported: null })
  })
})
