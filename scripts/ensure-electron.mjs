#!/usr/bin/env node
// Runs Electron's own installer (node_modules/electron/install.js, what `install-electron` runs)
// before `npm start`, `npm run dev` and `npm run dist`. When the binary cannot be downloaded it
// says so in one message — what it tried to download from where, why that failed, and what to do —
// instead of the installer's bare "TypeError: fetch failed" stack.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const electronDir = join(root, 'node_modules', 'electron')
const installer = join(electronDir, 'install.js')
const reporter = new URL('./electron-download-reporter.mjs', import.meta.url)
const marker = 'podnet-electron-download '

const event = process.env['npm_lifecycle_event']
const command =
  event === 'start' ? 'npm start' : event ? `npm run ${event}` : 'node scripts/ensure-electron.mjs'

if (!existsSync(installer)) {
  console.error(
    `${command}: Electron is not installed (${installer} is missing): run npm install first, ` +
      'or use the app in a browser without Electron: npm run serve'
  )
  process.exit(1)
}
const version = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version

/** Where @electron/get takes its mirror from, in its own order; null for GitHub, its default. */
function mirrorSetting(env) {
  const sources = [
    ['npm_config_electron_mirror', 'npm config electron_mirror'],
    ['NPM_CONFIG_ELECTRON_MIRROR', 'NPM_CONFIG_ELECTRON_MIRROR'],
    ['npm_package_config_electron_mirror', 'package.json config.electron_mirror'],
    ['ELECTRON_MIRROR', 'ELECTRON_MIRROR']
  ]
  for (const [key, name] of sources) if (env[key]) return name
  return null
}

const proxyKeys = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']
const proxyKey = proxyKeys.find((key) => process.env[key])
const env = { ...process.env }
// Node 20's fetch ignores proxy variables; @electron/get routes through them only when asked to.
if (proxyKey && !env['ELECTRON_GET_USE_PROXY']) env['ELECTRON_GET_USE_PROXY'] = '1'

const child = spawn(process.execPath, ['--import', reporter.href, installer], {
  cwd: root,
  env,
  stdio: ['ignore', 'inherit', 'pipe']
})

const events = []
const otherLines = []
let pending = ''
child.stderr.setEncoding('utf8')
child.stderr.on('data', (chunk) => {
  pending += chunk
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) take(line)
})

function parsed(line) {
  try {
    return line.startsWith(marker) ? JSON.parse(line.slice(marker.length)) : null
  } catch {
    return null
  }
}

function take(line) {
  const reported = parsed(line)
  if (reported === null) {
    if (line.trim() !== '') otherLines.push(line)
    return
  }
  if (reported.error === undefined && !events.some((e) => e.url === reported.url))
    console.log(`Downloading Electron ${version} from ${reported.url} (once; later starts reuse it)…`)
  events.push(reported)
}

child.on('close', (code, signal) => {
  if (pending !== '') take(pending)
  if (code === 0) {
    if (events.length > 0) console.log(`Electron ${version} is installed.`)
    process.exit(0)
  }
  // Interrupted (Ctrl-C): the terminal already shows why.
  if (signal !== null) process.exit(1)
  console.error(explain(code))
  process.exit(1)
})

function explain(code) {
  const failed = events.findLast((e) => e.error !== undefined)
  const mirror = mirrorSetting(env)
  const where = mirror ? `the mirror set by ${mirror}` : "Electron's default download host"
  const through = proxyKey ? `, through the proxy in ${proxyKey}` : ''
  const advice = [
    '  To use the app now, without Electron, open it in a browser:',
    '    npm run serve',
    `  For the desktop app, make the download reachable and run ${command} again:`,
    `    through a mirror:  ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ ${command}`,
    `    through a proxy:   HTTPS_PROXY=http://proxy.example:3128 ${command}`
  ]
  if (failed) {
    return [
      `${command}: could not download Electron ${version} from ${failed.url} (${where}${through}): ${failed.error.replace(/\.$/, '')}.`,
      ...advice
    ].join('\n')
  }
  // Not a download that failed (a checksum, the unzip, an unsupported platform): the installer's
  // own words are all there is to go on, so they are shown.
  const tried = events.at(-1)
  return [
    `${command}: could not install Electron ${version}${tried ? ` downloaded from ${tried.url}` : ''}: ` +
      `${otherLines[0] ?? `its installer (${installer}) exited with code ${code}`}`,
    ...advice,
    ...(otherLines.length > 1 ? ["  Electron's installer said:", ...otherLines.map((l) => `    ${l}`)] : [])
  ].join('\n')
}
