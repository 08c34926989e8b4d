import { describe, expect, test, vi } from 'vitest'
import { internalErrorMessage } from '../../src-main/api/dispatch.ts'
import { rawPost, withWebHost } from './api-call.ts'

// An unexpected error's message can name files, SQL or internals; the caller gets a fixed
// sentence and the host's log gets the method and the stack.

describe('a 5xx answer never carries the internal error message', () => {
  test('a handler throwing an Error yields 500 with a fixed message, and the host logs the real one', async () => {
    const secret = 'SQLITE_CORRUPT at /home/instructor/.local/share/podnet-lab/progress.sqlite'
    const logged: unknown[][] = []
    const log = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args)
    })
    try {
      await withWebHost(
        async (host) => {
          const answer = await rawPost(host, 'lessons:list', {})
          expect(answer.status).toBe(500)
          expect(answer.body).not.toContain('SQLITE_CORRUPT')
          expect(answer.body).not.toContain('/home/instructor')
          expect(JSON.parse(answer.body)).toEqual({
            ok: false,
            error: { code: 'internal', message: internalErrorMessage }
          })
        },
        (service) => ({
          handlers: {
            ...service.handlers,
            'lessons:list': () => {
              throw new Error(secret)
            }
          }
        })
      )
    } finally {
      log.mockRestore()
    }
    const text = logged.map((args) => args.map(String).join(' ')).join('\n')
    expect(text).toContain('lessons:list')
    expect(text).toContain(secret)
    expect(text).toMatch(/at .*host-hides-internal-error-messages\.test\.ts/)
  })
})
