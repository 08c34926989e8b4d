import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  poll,
  repoRoot,
  seriousAxeViolations,
  startHost,
  tempDir,
  type RunningHost
} from './harness.ts'

const unavailable = e2eUnavailable()
const scenario = readFileSync(join(repoRoot, 'test/fixtures/scenarios/two-node-vxlan.yaml'))

describe.skipIf(unavailable !== null)('the free-play sandbox in Chromium over the web host', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-e2e-sandbox-')
  let running: RunningHost

  beforeAll(async () => {
    ;({ browser, close: closeBrowser } = await launchChromium())
    running = await startHost(data.path)
  })

  afterAll(async () => {
    await running?.stop()
    await closeBrowser?.()
    data.remove()
  })

  async function expectAccessible(page: Page, view: string): Promise<void> {
    const violations = await seriousAxeViolations(page)
    expect(violations, `${view}: ${JSON.stringify(violations)}`).toEqual([])
  }

  const terminalText = (page: Page): Promise<string> => page.locator('.xterm-host .xterm-rows').innerText()

  async function tab(page: Page, name: string): Promise<void> {
    await page.getByRole('tab', { name, exact: true }).click()
    await poll(() => page.locator('.xterm-host').getAttribute('data-target')).toBe(name)
    await page.locator('.xterm-host .xterm-helper-textarea').focus()
  }

  /** Types a line and waits for the next prompt: the terminal takes no input while a command runs. */
  async function run(page: Page, line: string, prompt: string): Promise<void> {
    const prompts = async (): Promise<number> => (await terminalText(page)).split(prompt).length
    const before = await prompts()
    await page.keyboard.type(line)
    await page.keyboard.press('Enter')
    await poll(prompts).toBe(before + 1)
  }

  test('opens a custom scenario file, completes and runs a command, traces, downloads the pcap and resets', async () => {
    const { context } = await offlineContext(browser, () => running.host.origin, {})
    const page = await context.newPage()
    await page.goto(running.host.url)
    await page.getByLabel('Name').fill('Ada')
    await page.getByRole('button', { name: 'Start' }).click()
    await page.getByRole('link', { name: 'Sandbox' }).click()
    await poll(() => page.getByRole('heading', { level: 1, name: 'Sandbox' }).count()).toBe(1)
    await expectAccessible(page, 'sandbox, nothing open (en)')

    // A broken file is refused with the field that needs fixing.
    const broken = scenario
      .toString('utf8')
      .replace('  - name: web-3\n    node: node-2', '  - name: web-3\n    node: node-9')
    await page
      .locator('#sandbox-file')
      .setInputFiles({ name: 'broken.yaml', mimeType: 'application/yaml', buffer: Buffer.from(broken) })
    await poll(() => page.getByRole('alert').innerText()).toMatch(
      /broken\.yaml: `pods\[3\]\.node` names “node-9”, which the file does not have/
    )

    await page
      .locator('#sandbox-file')
      .setInputFiles({ name: 'my-lab.yaml', mimeType: 'application/yaml', buffer: scenario })
    await poll(() => page.locator('#sandbox-world').innerText()).toBe('Cluster: my-lab.yaml')
    await poll(() => page.locator('.xterm-host .xterm-rows').count()).toBe(1)

    // Tab completes from the lab's command registry, then the line runs.
    await tab(page, 'client')
    await page.keyboard.type('ip ro')
    await page.keyboard.press('Tab')
    await poll(() => terminalText(page)).toMatch(/root@client:\/# ip route\s*$/m)
    await page.keyboard.press('Enter')
    await poll(() => terminalText(page)).toMatch(/default via 10\.244\.1\.1 dev eth0/)

    await tab(page, 'node-2')
    await run(page, 'ip link set cni0 down', 'root@node-2:~# ')
    await run(page, 'ip link show cni0', 'root@node-2:~# ')
    await poll(() => terminalText(page)).toMatch(/cni0: <BROADCAST,MULTICAST> .* state DOWN/)

    // A trace across the nodes, then its capture as a file real tcpdump reads.
    await page.locator('#trace-from').selectOption('client')
    await page.locator('#trace-to').fill('10.244.1.3')
    await page.getByRole('button', { name: 'Send' }).click()
    await poll(() => page.locator('.stepper .outcome').innerText()).toMatch(/ICMP client → 10\.244\.1\.3/)
    await expectAccessible(page, 'sandbox with a trace (en)')
    // The download menu offers every interface the trace crossed, one capture each, and all in one pcapng.
    await page.locator('.stepper details.captures > summary').click()
    await page.getByRole('button', { name: 'All interfaces (.pcapng)' }).waitFor()
    await page.getByRole('button', { name: 'node-1/cni0: this interface (.pcap)' }).waitFor()
    const onePoint = page.getByRole('button', { name: 'client/eth0: this interface (.pcap)' })
    const [download] = await Promise.all([page.waitForEvent('download'), onePoint.click()])
    expect(download.suggestedFilename()).toBe('podnet-icmp-client-to-10.244.1.3-on-client-eth0.pcap')
    const saved = join(data.path, download.suggestedFilename())
    await download.saveAs(saved)
    const bytes = readFileSync(saved)
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4)
    expect(bytes.readUInt32LE(20)).toBe(1)
    if (existsSync('/usr/bin/tcpdump')) {
      const printed = execFileSync('/usr/bin/tcpdump', ['-nn', '-r', saved], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe']
      })
      expect(printed).toMatch(/10\.244\.1\.2 > 10\.244\.1\.3: ICMP echo request/)
      expect(printed).toMatch(/10\.244\.1\.3 > 10\.244\.1\.2: ICMP echo reply/)
    }

    // Reset asks first, then brings the cluster back as the file describes it.
    await page.getByRole('button', { name: 'Reset the cluster…' }).click()
    await expectAccessible(page, 'sandbox reset question (en)')
    await page.getByRole('button', { name: 'Yes, rebuild it' }).click()
    // The question closes at once; the button stays busy until the rebuilt cluster is back.
    await poll(() => page.getByRole('button', { name: 'Reset the cluster…' }).getAttribute('aria-busy')).toBe(
      'false'
    )
    await poll(() => page.locator('.stepper .outcome').count()).toBe(0)
    await poll(() => page.locator('.xterm-host .xterm-rows').count()).toBe(1)
    await tab(page, 'node-2')
    await run(page, 'ip link show cni0', 'root@node-2:~# ')
    await poll(() => terminalText(page)).toMatch(/cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> .* state UP/)

    await page.getByRole('button', { name: '切换到中文' }).click()
    await poll(() => page.getByRole('heading', { level: 1, name: '沙盒' }).count()).toBe(1)
    await expectAccessible(page, 'sandbox (zh-CN)')
    await page.getByRole('link', { name: '关于' }).click()
    await poll(() => page.getByRole('heading', { level: 1, name: '关于 Podnet Lab' }).count()).toBe(1)
    await poll(() => page.locator('.about').innerText()).toMatch(/应用版本 test/)
    await expectAccessible(page, 'about (zh-CN)')
    await context.close()
  }, 240_000)

  test('a lesson’s lab reset asks first and undoes the change, the lesson list shows status, progress resets by profile name', async () => {
    // A fresh data folder, so the profile gate asks for the first profile again.
    const ownData = tempDir('podnet-e2e-resets-')
    const own = await startHost(ownData.path)
    try {
      const { context } = await offlineContext(browser, () => own.host.origin, { colorScheme: 'dark' })
      const page = await context.newPage()
      await page.goto(own.host.url)
      await page.getByLabel('Name').fill('Lin')
      await page.getByRole('button', { name: 'Start' }).click()
      await poll(() => page.locator('.lesson-status').first().innerText()).toBe('Not started')
      await page.locator('.lesson-list a').first().click()
      await poll(() => page.locator('.xterm-host .xterm-rows').count()).toBe(1)

      await tab(page, 'node-1')
      await run(page, 'ip link set cni0 down', 'root@node-1:~# ')
      await page.getByRole('button', { name: 'Reset the lab…' }).click()
      await poll(() => page.getByRole('alertdialog').innerText()).toMatch(/Your answers and progress stay/)
      await expectAccessible(page, 'lesson reset question (dark)')
      await page.getByRole('button', { name: 'Yes, rebuild the lab' }).click()
      await poll(() => page.getByRole('alertdialog').count()).toBe(0)
      await poll(() => page.getByRole('button', { name: 'Reset the lab…' }).getAttribute('aria-busy')).toBe(
        'false'
      )
      await tab(page, 'node-1')
      await run(page, 'ip link show cni0', 'root@node-1:~# ')
      await poll(() => terminalText(page)).toMatch(/cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> .* state UP/)

      await page.getByRole('link', { name: 'Lessons', exact: true }).click()
      // In progress, and where: the tour's first of nine steps.
      await poll(() => page.locator('.lesson-status').first().innerText()).toBe('Step 1 of 9')

      await page.getByRole('link', { name: 'Settings' }).click()
      const reset = page.getByRole('button', { name: 'Reset my progress' })
      expect(await reset.isDisabled()).toBe(true)
      await page.getByLabel('Type the profile name “Lin” to confirm').fill('Lin')
      await expectAccessible(page, 'settings with reset progress (dark)')
      await reset.click()
      await poll(() => page.getByRole('status').filter({ hasText: 'was reset' }).count()).toBe(1)
      await page.getByRole('link', { name: 'Lessons', exact: true }).click()
      await poll(() => page.locator('.lesson-status').first().innerText()).toBe('Not started')

      await page.getByRole('link', { name: 'About' }).click()
      await poll(() => page.locator('.about').innerText()).toMatch(
        /App version test[\s\S]*iproute2 6\.1[\s\S]*Kubernetes 1\.31/
      )
      await expectAccessible(page, 'about (en, dark)')
      await context.close()
    } finally {
      await own.stop()
      ownData.remove()
    }
  }, 240_000)
})
