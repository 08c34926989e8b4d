import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { Unzip, UnzipInflate } from 'fflate'
import { ApiError } from '../api/envelope.ts'
import { reason } from '../api/error-reasons.ts'

/** Linux's PATH_MAX and NAME_MAX, in bytes: a longer path cannot name a file on this machine. */
const maxPathBytes = 4096
const maxNameBytes = 255

/** A pack path refused before the file system sees it, or that the file system refused. */
export function badPackPath(
  message: string,
  problem: 'nul' | 'too_long' | 'name_too_long' | 'not_a_pack',
  limit?: number
): ApiError {
  return new ApiError('invalid_input', message, {
    reason: reason('pack_path_invalid', { problem, ...(limit === undefined ? {} : { limit }) })
  })
}

/**
 * Refuses, by what is wrong, a path the file system would choke on: the caller gets a 4xx naming
 * it instead of an error from deep inside `fs`.
 */
export function checkPackPath(path: string): void {
  if (path.includes('\0')) throw badPackPath('path: contains a NUL character', 'nul')
  const bytes = Buffer.byteLength(path)
  if (bytes > maxPathBytes) {
    throw badPackPath(
      `path: ${bytes} bytes long; a path may be at most ${maxPathBytes}`,
      'too_long',
      maxPathBytes
    )
  }
  const long = path.split('/').find((name) => Buffer.byteLength(name) > maxNameBytes)
  if (long !== undefined) {
    throw badPackPath(
      `path: the name "${long.slice(0, 40)}…" is ${Buffer.byteLength(long)} bytes long; one name may be at most ${maxNameBytes}`,
      'name_too_long',
      maxNameBytes
    )
  }
}

/** The archive is bigger than the caller allows. */
export class FileTooLarge extends Error {
  constructor(
    readonly path: string,
    readonly size: number
  ) {
    super(`${path}: ${size} bytes`)
  }
}

/**
 * Reads a regular file of at most `maxBytes`. The handle is opened non-blocking and checked with
 * fstat before a byte is read, so a FIFO (which would wait for a writer) or a device such as
 * /dev/zero (which never ends) is refused at once, and the file checked is the file read.
 */
export function readRegularFile(path: string, maxBytes: number): Uint8Array {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) {
      throw badPackPath(
        `path: ${path} is ${kindOf(stat)}, not a lesson pack folder or .zip file`,
        'not_a_pack'
      )
    }
    if (stat.size > maxBytes) throw new FileTooLarge(path, stat.size)
    // A file still growing is read only up to the cap.
    const data = Buffer.allocUnsafe(Math.min(stat.size, maxBytes) + 1)
    let length = 0
    for (;;) {
      const n = readSync(fd, data, length, data.length - length, null)
      if (n === 0) break
      length += n
      if (length > maxBytes) throw new FileTooLarge(path, length)
    }
    return data.subarray(0, length)
  } finally {
    closeSync(fd)
  }
}

function kindOf(stat: ReturnType<typeof fstatSync>): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)'
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device'
  if (stat.isSocket()) return 'a socket'
  return 'not a regular file'
}

export interface UnzipLimits {
  files: number
  fileBytes: number
  totalBytes: number
}

/** An entry the caller refuses; thrown out of the inflater to stop it. */
export type RefuseEntry = (problem: string) => Error

/**
 * Inflates `zip` with fflate's streaming inflater, counting the bytes it actually produces: the
 * sizes an archive declares are checked up front but not trusted, and inflating stops at the first
 * chunk past a limit, so memory never grows beyond the limits whatever the archive claims.
 * `checkName` maps each entry name to its place in the pack (or throws).
 */
export function unzipBounded(
  zip: Uint8Array,
  limits: UnzipLimits,
  checkName: (name: string) => string,
  refuse: RefuseEntry,
  label: string
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>()
  let count = 0
  let total = 0
  let failure: unknown = null
  const unzip = new Unzip()
  unzip.register(UnzipInflate)
  unzip.onfile = (file) => {
    if (file.name.endsWith('/')) return
    const name = checkName(file.name)
    if (++count > limits.files) throw refuse(`${label}: more than ${limits.files} files`)
    if (file.originalSize !== undefined && file.originalSize > limits.fileBytes) {
      throw refuse(
        `${file.name}: unpacks to ${file.originalSize} bytes; one file may be at most ${limits.fileBytes}`
      )
    }
    const chunks: Uint8Array[] = []
    let size = 0
    file.ondata = (error, chunk, final) => {
      if (error) {
        failure ??= error
        return
      }
      size += chunk.length
      total += chunk.length
      if (size > limits.fileBytes) {
        throw refuse(
          `${file.name}: unpacks to more than ${limits.fileBytes} bytes; one file may be at most that`
        )
      }
      if (total > limits.totalBytes) throw refuse(`${label}: unpacks to more than ${limits.totalBytes} bytes`)
      chunks.push(chunk)
      if (final) out.set(name, Buffer.concat(chunks))
    }
    file.start()
  }
  unzip.push(zip, true)
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure))
  return out
}
