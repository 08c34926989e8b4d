import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { strFromU8, unzipSync, zipSync, type Zippable } from 'fflate'
import type { Download } from 'playwright-core'
import { afterAll, describe, expect, test } from 'vitest'
import { tourCopyPack } from '../classroom/tour-copy-pack.ts'
import { e2eUnavailable, poll, seriousAxeViolations, tempDir, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

/** The pack `workshop-pack` (the course's tour as the lesson `tour-copy`), zipped. */
function packZip(root: string): string {
  const pack = tourCopyPack(join(root, 'pack'))
  const names = ['index.yaml', ...readdirSync(join(pack, '10-tour-copy')).map((n) => `10-tour-copy/${n}`)]
  const files: Zippable = Object.fromEntries(names.map((name) => [name, readFileSync(join(pack, name))]))
  const zip = join(root, 'workshop-pack.zip')
  writeFileSync(zip, zipSync(files))
  return zip
}

async function zipEntries(download: Download): Promise<Record<string, Uint8Array>> {
  return unzipSync(readFileSync((await download.path()) ?? ''))
}

describe.skipIf(unavailable !== null)('lesson packs on the instructor page of a web host', () => {
  const app = withHostAndBrowser('podnet-e2e-packs-', { classroom: true })
  const work = tempDir('podnet-e2e-pack-files-')
  afterAll(() => work.remove())

  test('a .zip from this browser imports, exports back, and is removed after asking', async () => {
    const { context } = await app.offlineContext()
    const teacher = await context.newPage()
    teacher.setDefaultTimeout(30_000)
    await teacher.goto(`${app.host.url}#/classroom`)

    // A web host has no dialog of its own: the page offers a file input and no dialog button.
    await teacher.getByLabel('Or send a .zip file from this browser').setInputFiles(packZip(work.path))
    expect(await teacher.getByRole('button', { name: 'Choose a .zip file…' }).count()).toBe(0)
    await teacher.getByRole('button', { name: 'Check and import the file' }).click()
    await poll(() => teacher.getByTestId('pack-result').innerText()).toContain('Imported 1 lesson.')
    const installed = teacher.locator('.packs li')
    await poll(() => installed.innerText()).toMatch(/Workshop extras\s+workshop-pack · 1 lesson/)
    expect(await seriousAxeViolations(teacher)).toEqual([])

    const downloading = teacher.waitForEvent('download')
    await installed.getByRole('button', { name: 'Export' }).click()
    const download = await downloading
    expect(download.suggestedFilename()).toBe('workshop-pack.podnet-pack.zip')
    const exported = await zipEntries(download)
    expect(strFromU8(exported['index.yaml']!)).toContain('id: workshop-pack')
    expect(Object.keys(exported)).toContain('10-tour-copy/lesson.yaml')

    await installed.getByRole('button', { name: 'Remove…' }).click()
    const confirm = teacher.getByRole('alertdialog')
    await poll(() => confirm.innerText()).toContain('Remove “Workshop extras”?')
    await confirm.getByRole('button', { name: 'Yes, remove the pack' }).click()
    await poll(() => teacher.getByText('Removed: 1 lesson left the course.').count()).toBe(1)
    await poll(() => teacher.getByText('No lesson pack has been imported yet.').count()).toBe(1)
    // The export list is the course again: the pack's lesson left with it.
    const exportForm = teacher.locator('form.pack-export')
    await poll(() => exportForm.getByRole('checkbox').count()).toBe(
      (await app.service.handlers['lessons:list']({})).lessons.filter((l) => l.available).length
    )

    await exportForm.getByRole('checkbox').first().check()
    await exportForm.getByLabel('Pack id (lower-case letters, digits and hyphens)').fill('first-steps')
    await exportForm.getByLabel('Pack title').fill('First steps')
    const pickedDownload = teacher.waitForEvent('download')
    await exportForm.getByRole('button', { name: 'Export the ticked lessons' }).click()
    const picked = await zipEntries(await pickedDownload)
    const index = strFromU8(picked['index.yaml']!)
    expect(index).toContain('id: first-steps')
    expect(index).toMatch(/lessons:\n {2}- 00-tour\n/)
  })
})
