import { join } from 'node:path'
import { dispatch } from '../../src-main/api/dispatch.ts'
import { createService, type Service } from '../../src-main/api/service.ts'
import { repoRoot, tempDir } from '../e2e/harness.ts'

export const lessonsDir = join(repoRoot, 'lessons')

/** Calls a method through the same dispatch both transports use; a failure throws its code and message. */
export async function call<T>(service: Service, method: string, input: unknown): Promise<T> {
  const result = await dispatch(service.handlers, method, input)
  if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`)
  return result.value as T
}

/** The error envelope of a call expected to fail. */
export async function failure(
  service: Service,
  method: string,
  input: unknown
): Promise<{ code: string; message: string }> {
  const result = await dispatch(service.handlers, method, input)
  if (result.ok) throw new Error(`${method} succeeded but was expected to fail`)
  return result.error
}

/** A real service over a real SQLite file in a fresh temp dir, with one learner profile. */
export async function withService(
  work: (service: Service, learnerId: string, dataDir: string) => Promise<void>
): Promise<void> {
  const data = tempDir('podnet-api-')
  const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
  try {
    const learner = await call<{ id: string }>(service, 'profiles:create', { name: 'Ada' })
    await work(service, learner.id, data.path)
  } finally {
    service.close()
    data.remove()
  }
}
