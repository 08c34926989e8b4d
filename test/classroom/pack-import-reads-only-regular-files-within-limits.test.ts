import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import { afterAll, describe, expect, test } from 'vitest'
import { tempDir } from '../e2e/harness.ts'
import { classroomHostForSuite, post, type Answered } from './classroom-host.ts'

describe('pack:import reads only regular files, within its limits', () => {
  const h = classroomHostForSuite('podnet-pack-limits-')
  const work = tempDir('podnet-pack-limits-src-')
  const importPack = (path: string): Promise<Answered> =>
    post(h.host.origin, 'pack:import', { path }, h.instructorToken)

  /** Answered with a 4xx invalid_input whose message matches, in seconds, where a blocking read would hang until the test times out. */
  async function expectRefused(path: string, message: RegExp): Promise<void> {
    const started = Date.now()
    const answer = await importPack(path)
    expect(Date.now() - started).toBeLessThan(8000)
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(answer.body.error!.message).toMatch(message)
  }

  afterAll(async () => {
    work.remove()
  })

  test('a named pipe is refused at once instead of waiting for a writer', async () => {
    const fifo = join(work.path, 'pack.zip')
    execFileSync('mkfifo', [fifo])
    await expectRefused(fifo, /named pipe/)
  })

  test('/dev/zero is refused before a byte is read', async () => {
    await expectRefused('/dev/zero', /device/)
  })

  test('a path with a NUL character is refused naming it', async () => {
    await expectRefused(join(work.path, 'pack\0.zip'), /NUL/)
  })

  test('a 5000-character path is refused naming its length', async () => {
    await expectRefused(`/${'a'.repeat(4999)}`, /path: .*4096/)
  })

  test('a path with a name longer than the file system allows is refused naming it', async () => {
    await expectRefused(join(work.path, `${'b'.repeat(300)}.zip`), /one name may be at most 255/)
  })

  test('a zip that lies about its unpacked size stops inflating at the limit', async () => {
    const zip = Buffer.from(zipSync({ 'index.yaml': new Uint8Array(5 * 1024 * 1024) }, { level: 9 }))
    // The local header's uncompressed size (offset 22) now claims 100 bytes.
    zip.writeUInt32LE(100, 22)
    const path = join(work.path, 'liar.zip')
    writeFileSync(path, zip)
    const answer = await importPack(path)
    expect(answer.status).toBe(200)
    expect(answer.body.value).toMatchObject({
      ok: false,
      problems: ['index.yaml: unpacks to more than 4194304 bytes; one file may be at most that']
    })
  })
})
