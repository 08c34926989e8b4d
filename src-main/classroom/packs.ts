import { randomBytes } from 'node:crypto'
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { lessonFilesFromDir } from '../api/lesson-files.ts'
import { checkCourse } from '../core/lesson/check-course.ts'
import { loadCourse, type Course } from '../core/lesson/course-loader.ts'
import type { Localized } from '../core/lesson/lesson.schema.ts'
import { formatIssue } from '../core/lesson/issues.ts'
import { openLessonLab } from '../core/lesson/lab-adapter.ts'
import { badPackPath, checkPackPath, FileTooLarge, readRegularFile, unzipBounded } from './pack-source.ts'

/** Limits for one pack: a course of lessons is text, so anything near these is not a lesson pack. */
export const PACK_LIMITS = {
  /** The .zip file itself. */
  zipBytes: 20 * 1024 * 1024,
  /** Unpacked size of one file, as declared and as actually inflated. */
  fileBytes: 4 * 1024 * 1024,
  /** Unpacked size of the whole pack. */
  totalBytes: 40 * 1024 * 1024,
  files: 2000
} as const

export interface PackImportResult {
  ok: boolean
  packId: string | null
  lessons: { dir: string; id: string | null; ok: boolean }[]
  problems: string[]
}

class PackRefused extends Error {}

const refused = (problem: string): PackImportResult => ({
  ok: false,
  packId: null,
  lessons: [],
  problems: [problem]
})

/**
 * A relative POSIX path that stays inside the pack: no absolute paths, drive letters, backslashes,
 * `..` or empty segments (zip-slip). Directory entries (`dir/`) are dropped by the caller.
 */
export function safeEntryPath(name: string): string {
  if (name.includes('\\') || name.includes('\0') || name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
    throw new PackRefused(`${name}: file name points outside the pack`)
  }
  const parts = name.split('/')
  if (parts.some((p) => p === '..' || p === '.' || p === '')) {
    throw new PackRefused(`${name}: file name points outside the pack`)
  }
  return parts.join('/')
}

function readZip(path: string): Map<string, Uint8Array> {
  let zip: Uint8Array
  try {
    zip = readRegularFile(path, PACK_LIMITS.zipBytes)
  } catch (error) {
    if (!(error instanceof FileTooLarge)) throw error
    throw new PackRefused(
      `${path}: the archive is ${error.size} bytes; a lesson pack may be at most ${PACK_LIMITS.zipBytes}`
    )
  }
  if (!isZip(zip)) throw new PackRefused(`${path}: not a readable zip archive (no zip header)`)
  try {
    return unzipBounded(zip, PACK_LIMITS, safeEntryPath, (problem) => new PackRefused(problem), path)
  } catch (error) {
    if (error instanceof PackRefused) throw error
    throw new PackRefused(
      `${path}: not a readable zip archive (${error instanceof Error ? error.message : String(error)})`
    )
  }
}

/** A local file header, or the end record of an empty archive. */
function isZip(data: Uint8Array): boolean {
  return data[0] === 0x50 && data[1] === 0x4b && (data[2] === 3 || data[2] === 5)
}

/** A folder's regular files; a symbolic link is refused, since it could point anywhere. */
function readFolder(root: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>()
  let total = 0
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const relPath = rel === '' ? name : `${rel}/${name}`
      const stat = lstatSync(join(root, relPath))
      if (stat.isSymbolicLink())
        throw new PackRefused(`${relPath}: symbolic links are not allowed in a lesson pack`)
      if (stat.isDirectory()) walk(relPath)
      else if (stat.isFile()) {
        if (files.size >= PACK_LIMITS.files)
          throw new PackRefused(`${root}: more than ${PACK_LIMITS.files} files`)
        if (stat.size > PACK_LIMITS.fileBytes)
          throw new PackRefused(
            `${relPath}: ${stat.size} bytes; one file may be at most ${PACK_LIMITS.fileBytes}`
          )
        total += stat.size
        if (total > PACK_LIMITS.totalBytes)
          throw new PackRefused(`${root}: more than ${PACK_LIMITS.totalBytes} bytes`)
        files.set(relPath, readFileSync(join(root, relPath)))
      }
    }
  }
  walk('')
  return files
}

/** Zips often wrap everything in one top folder (`my-pack/index.yaml`); the pack starts at index.yaml. */
function unwrap(files: Map<string, Uint8Array>): Map<string, Uint8Array> {
  if (files.has('index.yaml')) return files
  const tops = new Set([...files.keys()].map((p) => p.split('/')[0]!))
  if (tops.size === 1) {
    const [top] = tops
    if (files.has(`${top}/index.yaml`)) {
      return new Map([...files].map(([p, data]) => [p.slice(top!.length + 1), data]))
    }
  }
  return files
}

/**
 * Imports a lesson pack (a folder or a .zip holding `index.yaml` and lesson folders) into
 * `packsDir/<course id>`: read within limits, staged into a temporary folder beside the target,
 * checked exactly like `podnet lessons check`, then renamed into place in one step. A pack with
 * any problem leaves nothing behind; importing a pack again replaces the older copy.
 * `takenLessonIds(packId)` are the ids of the course's lessons outside this pack (a re-import may
 * keep its own ids).
 */
export function importPack(
  source: string,
  packsDir: string,
  takenLessonIds: (packId: string | null) => ReadonlySet<string>
): PackImportResult {
  checkPackPath(source)
  let files: Map<string, Uint8Array>
  try {
    const stat = statSync(source)
    files = unwrap(stat.isDirectory() ? readFolder(source) : readZip(source))
  } catch (error) {
    if (error instanceof PackRefused) return refused(error.message)
    const code = (error as { code?: string }).code
    if (code === 'ENOENT') return refused(`${source}: no such file or folder`)
    if (code === 'EACCES') return refused(`${source}: permission denied`)
    if (code === 'ENAMETOOLONG') throw badPackPath('path: too long for the file system', 'too_long')
    throw error
  }
  if (!files.has('index.yaml')) return refused(`${source}: a lesson pack needs an index.yaml at its top`)

  mkdirSync(packsDir, { recursive: true })
  const staging = join(packsDir, `.staging-${randomBytes(6).toString('hex')}`)
  try {
    for (const [rel, data] of files) {
      mkdirSync(dirname(join(staging, rel)), { recursive: true })
      writeFileSync(join(staging, rel), data)
    }
    const check = checkCourse(lessonFilesFromDir(staging), {
      openLab: openLessonLab,
      now: () => performance.now()
    })
    const course = loadCourse(lessonFilesFromDir(staging))
    const problems = check.issues.map(formatIssue)
    const lessons = course.lessons.map((entry) => {
      const id = entry.status === 'available' ? entry.lesson.lesson.id : (entry.id ?? null)
      return { dir: entry.dir, id, ok: check.lessons.find((l) => l.dir === entry.dir)?.ok ?? false }
    })
    const packId = course.index?.id ?? null
    const taken = takenLessonIds(packId)
    for (const lesson of lessons) {
      if (lesson.id !== null && taken.has(lesson.id)) {
        problems.push(
          `${lesson.dir}/lesson.yaml: id: lesson id "${lesson.id}" is already used by another lesson of the course`
        )
        lesson.ok = false
      }
    }
    if (problems.length > 0 || packId === null) {
      return { ok: false, packId, lessons, problems }
    }
    const target = join(packsDir, packId)
    const old = join(packsDir, `.old-${randomBytes(6).toString('hex')}`)
    const replacing = existsDir(target)
    if (replacing) renameSync(target, old)
    try {
      renameSync(staging, target)
    } catch (error) {
      if (replacing) renameSync(old, target)
      throw error
    }
    if (replacing) rmSync(old, { recursive: true, force: true })
    return { ok: true, packId, lessons, problems: [] }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

function existsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Installed packs, in name order; staging and replaced copies (dot folders) are not packs. */
export function installedPacks(packsDir: string): string[] {
  try {
    return readdirSync(packsDir)
      .filter((name) => !name.startsWith('.') && existsDir(join(packsDir, name)))
      .sort()
  } catch {
    return []
  }
}

/**
 * The course with every installed pack's lessons after its own. A pack lesson whose id the course
 * (or an earlier pack) already uses is left out: lesson ids key learners' progress.
 */
export function withPacks(course: Course, packsDir: string): Course {
  const lessons = [...course.lessons]
  const ids = new Set(
    lessons
      .map((e) => (e.status === 'available' ? e.lesson.lesson.id : e.id))
      .filter((id) => id !== undefined)
  )
  for (const pack of installedPacks(packsDir)) {
    const packCourse = loadCourse(lessonFilesFromDir(join(packsDir, pack)))
    for (const entry of packCourse.lessons) {
      if (entry.status !== 'available' || ids.has(entry.lesson.lesson.id)) continue
      ids.add(entry.lesson.lesson.id)
      lessons.push({ ...entry, dir: `${pack}/${entry.dir}` })
    }
  }
  return { ...course, lessons }
}

/** An installed pack as the instructor's pack list shows it. */
interface InstalledPack {
  packId: string
  title: Localized
  /** Its available lessons' ids, in its own order. */
  lessons: string[]
}

export function installedPackSummaries(packsDir: string): InstalledPack[] {
  return installedPacks(packsDir).flatMap((packId) => {
    const course = loadCourse(lessonFilesFromDir(join(packsDir, packId)))
    if (!course.index) return []
    const lessons = course.lessons.flatMap((e) => (e.status === 'available' ? [e.lesson.lesson.id] : []))
    return [{ packId, title: course.index.title, lessons }]
  })
}

/**
 * Removes an installed pack's folder: its lessons leave the course at the service's next look.
 * Learners' records of them stay in the progress store, keyed by lesson id, so importing the pack
 * again brings each learner's progress back. False when no such pack is installed.
 */
export function removePack(packsDir: string, packId: string): boolean {
  if (!installedPacks(packsDir).includes(packId)) return false
  // Renamed away first, so the course never sees a half-deleted pack.
  const doomed = join(packsDir, `.removed-${randomBytes(6).toString('hex')}`)
  renameSync(join(packsDir, packId), doomed)
  rmSync(doomed, { recursive: true, force: true })
  return true
}
