// Renders the app icon (src-renderer/public/icon.svg, also the pages' favicon) to build/icon.png,
// the 1024×1024 PNG electron-builder makes every installer's icon from and the window shows on
// Linux and Windows. Run after editing the SVG, `npm run icon`, and commit both.
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const root = fileURLToPath(new URL('..', import.meta.url))
const source = join(root, 'src-renderer', 'public', 'icon.svg')
const target = join(root, 'build', 'icon.png')
const size = 1024
const chromiumPath = '/usr/bin/chromium'

const svg = readFileSync(source, 'utf8')
// A throwaway profile: Chromium writes nothing outside it.
const home = await mkdtemp(join(tmpdir(), 'podnet-render-icon-'))
let browser
try {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache')
    }
  })
} catch (error) {
  await rm(home, { recursive: true, force: true })
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
  console.error(
    `render-icon: could not start Chromium at ${chromiumPath} (apt-get install -y chromium): ${reason}`
  )
  process.exit(1)
}
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 })
  // The SVG as an image, not inline markup: drawn exactly as a browser draws the favicon.
  const uri = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
  await page.setContent(
    `<html><body style="margin:0;background:transparent"><img id="icon" src="${uri}" width="${size}" height="${size}" style="display:block"></body></html>`
  )
  const drawn = await page.evaluate(async () => {
    const image = document.getElementById('icon') as HTMLImageElement
    try {
      await image.decode()
    } catch {
      return false
    }
    return image.naturalWidth > 0
  })
  if (!drawn) throw new Error(`Chromium could not draw ${source}: is it valid SVG?`)
  writeFileSync(target, await page.screenshot({ omitBackground: true, type: 'png' }))
  console.log(`render-icon: wrote ${target} (${size}×${size}) from ${source}`)
} finally {
  await browser.close()
  await rm(home, { recursive: true, force: true })
}
