// Whether out/ holds a build of the sources as they are now, so `npm run serve` can skip a
// 20-second build when nothing changed. Sources are compared by content, not modification time:
// a checkout, `git stash pop` or a copy with preserved times moves times in ways that say nothing
// about whether the build is stale.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

/**
 * What the build reads. Lessons are not here: the service reads them from lessons/ at run time,
 * so a lesson edit needs no rebuild. node_modules/.package-lock.json is npm's record of what is
 * installed, which changes with an `npm install` even when package-lock.json does not.
 */
export const buildInputs = {
  dirs: ['src-main', 'src-renderer'],
  files: [
    'package.json',
    'package-lock.json',
    'node_modules/.package-lock.json',
    'electron.vite.config.ts',
    'tsconfig.json',
    'tsconfig.node.json',
    'tsconfig.web.json',
    'scripts/compile-i18n.mjs',
    'scripts/build-freshness.ts',
    'src-renderer/project.inlang/settings.json'
  ],
  /*
   * The i18n step writes these: paraglide's output from src-renderer/messages, and inlang's own
   * files beside its settings (git ignores them), which appear whenever the compiler runs.
   */
  generated: ['src-renderer/src/lib/i18n/paraglide', 'src-renderer/project.inlang']
}

/** What a build leaves, and what `npm run serve` and the desktop app load from it. */
export const buildOutputs = [
  'out/main/main.js',
  'out/main/lab-worker.js',
  'out/preload/preload.cjs',
  'out/renderer/index.html'
]

export const stampPath = 'out/build-stamp.json'

interface Stamp {
  /** Each input file (relative path, `/`-separated) and the SHA-256 of its content. */
  inputs: Record<string, string>
  /** Each output's size and modification time when the build finished. */
  outputs: Record<string, string>
}

export type BuildState =
  | { current: true }
  | {
      current: false
      /** Why a build is needed, for a person: "sources changed since the last build (…)". */
      reason: string
    }

const posix = (path: string): string => path.split(sep).join('/')

function filesUnder(root: string, dir: string, generated: readonly string[]): string[] {
  const absolute = join(root, dir)
  if (!existsSync(absolute)) return []
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => posix(relative(root, join(entry.parentPath, entry.name))))
    .filter((path) => !generated.some((g) => path === g || path.startsWith(`${g}/`)))
}

/** The content hash of every build input under `root`. */
export function inputHashes(root: string): Record<string, string> {
  const paths = [
    ...buildInputs.dirs.flatMap((dir) => filesUnder(root, dir, buildInputs.generated)),
    ...buildInputs.files.filter((file) => existsSync(join(root, file)))
  ].sort()
  return Object.fromEntries(
    paths.map((path) => [
      path,
      createHash('sha256')
        .update(readFileSync(join(root, path)))
        .digest('hex')
    ])
  )
}

/** Size and modification time of each output; null when one is missing. */
function outputSignatures(root: string): Record<string, string> | null {
  const signatures: Record<string, string> = {}
  for (const path of buildOutputs) {
    const file = join(root, path)
    if (!existsSync(file)) return null
    const { size, mtimeMs } = statSync(file)
    signatures[path] = `${size}:${mtimeMs}`
  }
  return signatures
}

function readStamp(root: string): Stamp | null {
  try {
    const stamp = JSON.parse(readFileSync(join(root, stampPath), 'utf8')) as Partial<Stamp>
    return typeof stamp.inputs === 'object' && typeof stamp.outputs === 'object' ? (stamp as Stamp) : null
  } catch {
    return null
  }
}

function listed(paths: string[]): string {
  const shown = paths.slice(0, 3).join(', ')
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown
}

/** Whether out/ holds a build of the sources as they are now, and if not, why not. */
export function buildState(root: string): BuildState {
  const outputs = outputSignatures(root)
  if (outputs === null) return { current: false, reason: 'out/ holds no complete build yet' }
  const stamp = readStamp(root)
  if (stamp === null) return { current: false, reason: `no build is recorded in ${stampPath}` }
  // Another command (electron-vite directly, `npm run dev`) rebuilt out/ from sources unknown here.
  if (buildOutputs.some((path) => stamp.outputs[path] !== outputs[path]))
    return { current: false, reason: 'another command rebuilt out/ since the recorded build' }
  const now = inputHashes(root)
  const changed = Object.keys(now).filter((path) => path in stamp.inputs && stamp.inputs[path] !== now[path])
  const added = Object.keys(now).filter((path) => !(path in stamp.inputs))
  const removed = Object.keys(stamp.inputs).filter((path) => !(path in now))
  const parts = [
    ...(changed.length > 0 ? [`${listed(changed)} changed`] : []),
    ...(added.length > 0 ? [`${listed(added)} added`] : []),
    ...(removed.length > 0 ? [`${listed(removed)} removed`] : [])
  ]
  return parts.length === 0
    ? { current: true }
    : { current: false, reason: `sources changed since the last build (${parts.join('; ')})` }
}

/** Records that out/ now holds a build of the sources whose hashes were taken before it began. */
export function writeStamp(root: string, inputs: Record<string, string>): void {
  const outputs = outputSignatures(root)
  if (outputs === null)
    throw new Error(`the build left no ${buildOutputs.find((p) => !existsSync(join(root, p)))}`)
  writeFileSync(join(root, stampPath), `${JSON.stringify({ inputs, outputs }, null, 1)}\n`)
}

/**
 * Builds the app into out/ (messages, then electron-vite) and records which sources it was built
 * from. Their hashes are taken before the build starts, so a file saved during the build makes
 * the next check ask for a build again rather than pass for built. Throws naming the failed step.
 */
export function build(root: string): void {
  const inputs = inputHashes(root)
  rmSync(join(root, stampPath), { force: true })
  const steps: [string, string[]][] = [
    ['the message compiler', [join(root, 'scripts', 'compile-i18n.mjs')]],
    ['electron-vite build', [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']]
  ]
  for (const [name, args] of steps) {
    const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
    if (run.error) throw new Error(`${name} could not start: ${run.error.message}`)
    if (run.status !== 0)
      throw new Error(`${name} failed (${run.signal ? `signal ${run.signal}` : `exit code ${run.status}`})`)
  }
  writeStamp(root, inputs)
}
