#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into .electron-native/, apart from the Node build in
// node_modules that tests, the CLI and the web host use. Called by `npm start`, `npm run dev` and
// `npm run dist` after scripts/ensure-electron.mjs; where the Electron binary is absent it does
// nothing (and says so).
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const electronDir = join(root, 'node_modules', 'electron')
const outDir = join(root, '.electron-native')
const outFile = join(outDir, 'better_sqlite3.node')

// Reading path.txt, not require('electron'): requiring it would try to download the binary.
const pathFile = join(electronDir, 'path.txt')
const electronBinary = existsSync(pathFile)
  ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  : null
if (!electronBinary || !existsSync(electronBinary)) {
  console.log(
    'rebuild-electron-native: no Electron binary here; skipping the Electron-ABI better-sqlite3 build.'
  )
  process.exit(0)
}

const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version
const sqliteDir = join(root, 'node_modules', 'better-sqlite3')
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version
const stamp = join(outDir, 'stamp.json')
const wanted = JSON.stringify({ electronVersion, sqliteVersion })
if (existsSync(outFile) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
  console.log(`rebuild-electron-native: up to date for Electron ${electronVersion}.`)
  process.exit(0)
}

// Build in a scratch copy so node_modules/better-sqlite3 keeps its Node-ABI binary for tests.
const work = mkdtempSync(join(tmpdir(), 'podnet-electron-native-'))
cpSync(sqliteDir, work, {
  recursive: true,
  filter: (src) => !src.includes(`${join('build', 'Release', 'obj')}`)
})
const env = { ...process.env }
// The machine's npmrc sets nodedir=/usr, which silently builds for Node's ABI instead of Electron's.
for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key]
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js')
execFileSync(
  process.execPath,
  [
    nodeGyp,
    'rebuild',
    '--release',
    `--target=${electronVersion}`,
    '--runtime=electron',
    '--dist-url=https://electronjs.org/headers'
  ],
  { cwd: work, env, stdio: 'inherit' }
)
mkdirSync(outDir, { recursive: true })
copyFileSync(join(work, 'build', 'Release', 'better_sqlite3.node'), outFile)
rmSync(work, { recursive: true, force: true })

// Check the result loads in Electron (as Node) — a wrong ABI fails here, not in the learner's app.
const expectedAbi = execFileSync(electronBinary, ['-p', 'process.versions.modules'], {
  env: { ...env, ELECTRON_RUN_AS_NODE: '1' }
})
  .toString()
  .trim()
execFileSync(
  electronBinary,
  [
    '-e',
    `const D=require(${JSON.stringify(join(sqliteDir, 'lib', 'index.js'))});new D(':memory:',{nativeBinding:${JSON.stringify(outFile)}}).prepare('select 1').get()`
  ],
  { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'inherit' }
)
writeFileSync(stamp, wanted)
console.log(
  `rebuild-electron-native: built better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (ABI ${expectedAbi}).`
)
