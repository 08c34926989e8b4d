import type { Browser, Page } from 'playwright-core'
import { launchChromium, startHost, tempDir, type RunningHost } from '../test/e2e/harness.ts'

/** A built renderer on the web host, a Chromium, and one learner; shared by a module's browser figures. */
export class BrowserApp {
  browser!: Browser
  running!: RunningHost
  #closeBrowser!: () => Promise<void>
  #data!: { path: string; remove: () => void }

  async start(): Promise<void> {
    this.#data = tempDir('podnet-bench-app-')
    ;({ browser: this.browser, close: this.#closeBrowser } = await launchChromium())
    this.running = await startHost(this.#data.path)
    const learner = await this.running.service.handlers['profiles:create']({ name: 'Bench' })
    await this.running.service.handlers['profiles:select']({ learnerId: learner.id })
  }

  async stop(): Promise<void> {
    await this.running.stop()
    await this.#closeBrowser()
    this.#data.remove()
  }

  /** A plain context: the e2e tests' request interception would add its own round trips. */
  async page(): Promise<{ page: Page; close: () => Promise<void> }> {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 860 } })
    return { page: await context.newPage(), close: () => context.close() }
  }

  /** The app's address for a route, e.g. `#/sandbox`. */
  url(hash: string): string {
    return `${this.running.host.url}${hash}`
  }
}
