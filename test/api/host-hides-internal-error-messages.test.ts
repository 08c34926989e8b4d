import { describe, expect, test, vi } from 'vitest'
import { dispatch, internalErrorMessage } from '../../src-main/api/dispatch.ts'
import { ApiError } from '../../src-main/api/envelope.ts'
import { rawPost, withService, withWebHost } from './api-call.ts'

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

  test('an internal ApiError (a lab worker’s crash with its stack) is hidden on every transport, and logged', async () => {
    const secret = 'TypeError: x is undefined\n    at LabShell.run (/opt/podnet/lab-worker.js:1:2)'
    const logged: unknown[][] = []
    const log = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args)
    })
    try {
      await withService(async (service) => {
        // dispatch() is what the Electron IPC handler and the web host both call.
        const handlers = {
          ...service.handlers,
          'lessons:list': () => {
            throw new ApiError('internal', secret)
          }
        }
        expect(await dispatch(handlers, 'lessons:list', {})).toEqual({
          ok: false,
          error: { code: 'internal', message: internalErrorMessage }
        })
      })
    } finally {
      log.mockRestore()
    }
    expect(logged.map((args) => args.map(String).join(' ')).join('\n')).toContain(secret)
  })
})
