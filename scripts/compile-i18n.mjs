// Compiles src-renderer/messages/*.json into tree-shakable message functions with paraglide.
// The message-format plugin is loaded from node_modules: paraglide's default CDN URL fails
// offline and then compiles *no* messages while exiting 0, so we also verify the output.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compile } from '@inlang/paraglide-js'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, 'src-renderer/src/lib/i18n/paraglide')

await compile({
  project: join(root, 'src-renderer/project.inlang'),
  outdir,
  strategy: ['globalVariable', 'baseLocale'],
  emitGitIgnore: false,
  emitPrettierIgnore: false,
  emitReadme: false,
  emitTsDeclarations: false,
  cleanOutdir: true
})

const keys = Object.keys(
  JSON.parse(readFileSync(join(root, 'src-renderer/messages/en.json'), 'utf8'))
).filter((k) => !k.startsWith('$'))
const messagesDir = join(outdir, 'messages')
const compiled = new Set(existsSync(messagesDir) ? readdirSync(messagesDir) : [])
const missing = keys.filter((k) => !compiled.has(`${k}.js`))
if (missing.length > 0) {
  console.error(
    `paraglide did not compile ${missing.length} of ${keys.length} messages (${missing.slice(0, 5).join(', ')}): is the message-format plugin path in src-renderer/project.inlang/settings.json right?`
  )
  process.exit(1)
}
console.log(`i18n: ${keys.length} messages compiled`)
