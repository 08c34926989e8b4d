import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { dispatch } from '../src-main/api/dispatch.ts'
import { createService } from '../src-main/api/service.ts'

/**
 * Run in its own process by labs.bench.ts, so the figure is this class's memory and nothing the
 * bench did before: 60 learners with three lessons open each, the labs in the worker pool as
 * `npm run serve` runs them (the built worker, argv[2]).
 */
const dataDir = mkdtempSync(join(tmpdir(), 'podnet-bench-class-'))
const workerUrl = process.argv[2] ? pathToFileURL(process.argv[2]) : undefined
const service = createService({
  dataDir,
  lessonsDir: join(import.meta.dirname, '..', 'lessons'),
  version: 'bench',
  ...(workerUrl ? { labs: { workerUrl } } : {})
})
const call = async <T>(method: string, input: unknown): Promise<T> => {
  const r = await dispatch(service.handlers, method, input)
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`)
  return r.value as T
}
for (let i = 0; i < 60; i++) {
  const id = (await call<{ id: string }>('profiles:create', { name: `Learner ${i}` })).id
  for (const lessonId of ['tour', 'same-node', 'services-clusterip'])
    await call('lesson:open', { learnerId: id, lessonId })
}
process.stdout.write(`${process.memoryUsage().rss / 2 ** 20}\n`)
service.close()
rmSync(dataDir, { recursive: true, force: true })
