import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Locale } from '../../src-main/api/contract.ts'
import type { DiagramModel, DiagramWire } from '../../src-main/core/diagram/model.ts'
import { e2eUnavailable, repoRoot, selectedLearner, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()
const viewport = { width: 1280, height: 800 }
const lessonId = 'tour'

/** One path segment drawn over a wire: `leg` is the hop's leg (request, reply…). */
interface DrawnSegment {
  wire: string
  leg: string
  dash: string
}

interface InspectorRow {
  field: string
  change: string
  cells: string[]
}

/** What the packet view shows at one hop of the trace. */
interface HopView {
  /** The current kernel hop, 0-based, as the hop list marks it. */
  seq: number
  current: DrawnSegment[]
  travelled: DrawnSegment[]
  /** Wires the drawing shows as not (yet) on the packet's path. */
  dimmed: string[]
  currentRow: string
  rewritten: string
  inspectorRows: InspectorRow[]
}

/** The diagram's wires named by what they join, so the expected path reads as the packet goes. */
function wiresOf(model: DiagramModel) {
  const find = (what: string, match: (w: DiagramWire) => boolean): string => {
    const found = model.wires.filter(match)
    if (found.length !== 1) throw new Error(`expected one ${what} in the diagram, found ${found.length}`)
    return found[0]!.id
  }
  const hostEndOf = (pod: string): string => {
    const peer = model.devices.find((d) => d.id === `${pod}/eth0`)?.peer
    if (peer === undefined) throw new Error(`${pod}/eth0 has no veth peer in the diagram`)
    return peer
  }
  return {
    /** A pod's stack out of its eth0. */
    podRoute: (pod: string) =>
      find(`route in ${pod}`, (w) => w.kind === 'route' && w.a === pod && w.b === `${pod}/eth0`),
    vethPair: (pod: string) =>
      find(`veth pair of ${pod}`, (w) => w.kind === 'veth' && [w.a, w.b].includes(`${pod}/eth0`)),
    bridgePort: (pod: string, node: string) =>
      find(
        `bridge port of ${pod}`,
        (w) => w.kind === 'bridge-port' && w.a === hostEndOf(pod) && w.b === `${node}/cni0`
      ),
    /** A node's stack to one of its links. */
    route: (node: string, link: string) =>
      find(`route ${node} → ${link}`, (w) => w.kind === 'route' && w.a === node && w.b === `${node}/${link}`),
    underlay: (node: string) =>
      find(`underlay wire of ${node}`, (w) => w.kind === 'underlay' && w.a === `${node}/eth0`),
    tunnel: (x: string, y: string) =>
      find(
        `tunnel ${x} ↔ ${y}`,
        (w) =>
          w.kind === 'vxlan-tunnel' &&
          [w.a, w.b].sort().join(' ') === [`${x}/flannel.1`, `${y}/flannel.1`].sort().join(' ')
      )
  }
}

async function currentSeq(page: Page): Promise<number> {
  const text = await page.locator('.stepper .event.hop.current .seq').innerText()
  return Number(text) - 1
}

/** The stepper's "Hop n of total", in any language: the total is the larger number. */
async function hopCount(page: Page): Promise<number> {
  const position = await page.locator('.stepper .controls .position').innerText()
  const numbers = (position.match(/\d+/g) ?? []).map(Number)
  if (numbers.length !== 2) throw new Error(`no hop count in “${position}”`)
  return Math.max(...numbers)
}

/** ArrowRight on the stepper, then waits until the hop list has moved to the next hop. */
async function stepForward(page: Page, to: number): Promise<void> {
  await page.keyboard.press('ArrowRight')
  await page.waitForFunction(
    (seq) => document.querySelector('.stepper .event.hop.current .seq')?.textContent?.trim() === String(seq),
    to + 1
  )
}

function viewOfHop(page: Page): Promise<HopView> {
  return page.evaluate(() => {
    const segments = (state: string) =>
      [...document.querySelectorAll<SVGPathElement>(`.topology g.path path[data-state="${state}"]`)].map(
        (p) => ({
          wire: p.dataset['wire'] ?? '',
          leg: p.dataset['leg'] ?? '',
          dash: getComputedStyle(p).strokeDasharray
        })
      )
    const text = (selector: string) => document.querySelector(selector)?.textContent?.trim() ?? ''
    return {
      seq: Number(text('.stepper .event.hop.current .seq')) - 1,
      current: segments('current'),
      travelled: segments('travelled'),
      dimmed: [...document.querySelectorAll<SVGPathElement>('.topology path.wire.dim')].map(
        (p) => p.dataset['wire'] ?? ''
      ),
      currentRow: text('.stepper .event.summary.current'),
      rewritten: text('.hop-inspector .rewritten'),
      inspectorRows: [...document.querySelectorAll('.hop-inspector table.headers tr[class^="change-"]')].map(
        (tr) => ({
          field: tr.querySelector('th')?.textContent?.trim() ?? '',
          change: tr.className.replace(/^change-/, '').split(' ')[0] ?? '',
          cells: [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')
        })
      )
    }
  })
}

/** The stepper's "segment n/m" of a TCP trace, in any language: the smaller number. */
async function segmentNumber(page: Page): Promise<number> {
  const text = await page.locator('.stepper .segment-position').innerText()
  const numbers = (text.match(/\d+/g) ?? []).map(Number)
  if (numbers.length !== 2) throw new Error(`no segment position in “${text}”`)
  return Math.min(...numbers)
}

/**
 * Steps from the first hop through the connection's first exchange, the SYN and its SYN-ACK, one
 * ArrowRight at a time, looking at the drawing at each. The segments after it take the same wires
 * and start a drawing of their own.
 */
async function walkTheHandshake(page: Page): Promise<HopView[]> {
  await page.locator('.stepper .controls').focus()
  expect(await currentSeq(page)).toBe(0)
  const total = await hopCount(page)
  const views = [await viewOfHop(page)]
  for (let seq = 1; seq < total; seq++) {
    await stepForward(page, seq)
    if ((await segmentNumber(page)) > 2) {
      // Back to the SYN-ACK's last hop: the tests after the walk look at the whole exchange drawn.
      await page.keyboard.press('ArrowLeft')
      await page.waitForFunction(
        (at) =>
          document.querySelector('.stepper .event.hop.current .seq')?.textContent?.trim() === String(at),
        seq
      )
      break
    }
    views.push(await viewOfHop(page))
  }
  expect(views.map((v) => v.seq)).toEqual([...Array(views.length).keys()])
  return views
}

const key = (s: { wire: string; leg: string }): string => `${s.leg} ${s.wire}`

/** When each wire first became the current edge of `leg` (index into `views`). */
function firstLit(views: HopView[], leg: string): Map<string, number> {
  const first = new Map<string, number>()
  views.forEach((view, i) => {
    for (const s of view.current) if (s.leg === leg && !first.has(s.wire)) first.set(s.wire, i)
  })
  return first
}

/**
 * `expected` put in the order its wires lit up as the current edge. Wires lit at the same hop (the
 * underlay and the tunnel riding it) keep the expected order, so only a real reordering shows.
 */
function inTheOrderLit(expected: string[], first: Map<string, number>): string[] {
  return expected
    .map((wire, i) => ({ wire, i, at: first.get(wire) ?? Infinity }))
    .sort((x, y) => x.at - y.at || x.i - y.i)
    .map((x) => x.wire)
}

/** Wires that became the current edge of `leg` again after the packet had moved on from them. */
function revisited(views: HopView[], leg: string): string[] {
  const left = new Set<string>()
  const back: string[] = []
  let previous = new Set<string>()
  for (const view of views) {
    const now = new Set(view.current.filter((s) => s.leg === leg).map((s) => s.wire))
    for (const wire of previous) if (!now.has(wire) && now.size > 0) left.add(wire)
    for (const wire of now) if (left.has(wire)) back.push(`hop ${view.seq + 1}: ${wire}`)
    if (now.size > 0) previous = now
  }
  return back
}

/** Expectations on one leg's current edges, reported together so a failure shows the whole story. */
function expectLitInOrder(views: HopView[], leg: string, expected: string[]): void {
  const first = firstLit(views, leg)
  const story = [...first].map(([wire, i]) => `hop ${views[i]!.seq + 1}: ${wire}`).join('\n')
  expect(
    expected.filter((wire) => !first.has(wire)),
    `${leg}: never the current edge\n${story}`
  ).toEqual([])
  expect(
    [...first.keys()].filter((wire) => !expected.includes(wire)),
    `${leg}: off the path\n${story}`
  ).toEqual([])
  expect(inTheOrderLit(expected, first), `${leg}: order\n${story}`).toEqual(expected)
  expect(revisited(views, leg), `${leg}: went back\n${story}`).toEqual([])
}

function messages(locale: Locale): Record<string, string> {
  return JSON.parse(readFileSync(join(repoRoot, 'src-renderer', 'messages', `${locale}.json`), 'utf8'))
}

describe.skipIf(unavailable !== null)('the packet’s path on the diagram, at 1280×800', () => {
  const app = withHostAndBrowser('podnet-e2e-path-')

  /** A learner of their own (a lab of their own) with the tour open on the server. */
  async function learnerWithTour(name: string, locale: Locale): Promise<string> {
    const id = await selectedLearner(app.service, name, { locale })
    await app.service.handlers['lesson:open']({ learnerId: id, lessonId })
    return id
  }

  async function openTour(locale: Locale): Promise<{
    page: Page
    finish: () => Promise<void>
  }> {
    const { context, foreignRequests } = await app.offlineContext({ locale })
    const page = await context.newPage()
    await page.setViewportSize(viewport)
    page.setDefaultTimeout(15_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${app.host.url}#/lessons/${lessonId}`)
    await page.locator('.topology svg.canvas').waitFor()
    return {
      page,
      finish: async () => {
        await context.close()
        expect(errors).toEqual([])
        expect(foreignRequests).toEqual([])
      }
    }
  }

  async function sendTrace(page: Page, to: string, protocol: 'icmp' | 'tcp', port?: number): Promise<void> {
    await page.locator('#trace-from').selectOption('client')
    await page.locator('#trace-to').fill(to)
    await page.locator('#trace-protocol').selectOption(protocol)
    if (port !== undefined) await page.locator('#trace-port').fill(String(port))
    await page.locator('form.trace-form button[type="submit"]').click()
    await page.locator('.hop-inspector').waitFor()
  }

  describe('a curl from client (node-1) to the api Service, whose only endpoint web-2 is on node-2', () => {
    let views: HopView[] = []
    let path: string[] = []
    let page: Page
    let finish: () => Promise<void>

    beforeAll(async () => {
      const learnerId = await learnerWithTour('Ada', 'en')
      const model = await app.service.handlers['lab:diagram']({ learnerId, lessonId })
      const w = wiresOf(model)
      path = [
        w.podRoute('client'),
        w.vethPair('client'),
        w.bridgePort('client', 'node-1'),
        // Up from the bridge into node-1's stack, where kube-proxy's DNAT and the routing decision happen.
        w.route('node-1', 'cni0'),
        w.route('node-1', 'flannel.1'),
        w.route('node-1', 'eth0'),
        w.underlay('node-1'),
        w.tunnel('node-1', 'node-2'),
        w.underlay('node-2'),
        w.route('node-2', 'eth0'),
        w.route('node-2', 'flannel.1'),
        w.route('node-2', 'cni0'),
        w.bridgePort('web-2', 'node-2'),
        w.vethPair('web-2'),
        w.podRoute('web-2')
      ]
      ;({ page, finish } = await openTour('en'))
      await sendTrace(page, '10.96.0.120', 'tcp', 80)
      views = await walkTheHandshake(page)
    }, 60_000)

    afterAll(async () => {
      await finish?.()
    })

    test('the request lights up its wires one after another: client → cni0 → flannel.1 → underlay → node-2 → web-2', () => {
      expectLitInOrder(views, 'request', path)
    })

    test('the reply retraces the same wires backwards, from web-2 to client', () => {
      expectLitInOrder(views, 'reply', [...path].reverse())
    })

    test('a wire stays drawn as travelled once crossed, and none is drawn travelled before the packet gets there', () => {
      const lost: string[] = []
      const ahead: string[] = []
      const misdimmed: string[] = []
      const crossed = new Set<string>()
      let before = new Set<string>()
      for (const view of views) {
        for (const s of view.current) crossed.add(key(s))
        const travelled = new Set(view.travelled.map(key))
        for (const k of before) if (!travelled.has(k)) lost.push(`hop ${view.seq + 1}: ${k}`)
        for (const k of travelled) if (!crossed.has(k)) ahead.push(`hop ${view.seq + 1}: ${k}`)
        // The wire underneath is dimmed exactly while no leg has crossed it.
        const onPath = new Set(view.travelled.map((s) => s.wire))
        for (const wire of path) {
          if (view.dimmed.includes(wire) === onPath.has(wire)) misdimmed.push(`hop ${view.seq + 1}: ${wire}`)
        }
        before = travelled
      }
      expect(lost).toEqual([])
      expect(ahead).toEqual([])
      expect(misdimmed).toEqual([])
      // By the end every wire of the exchange is drawn travelled both ways.
      const last = new Set(views.at(-1)!.travelled.map(key))
      for (const wire of path) {
        expect(last.has(`request ${wire}`), wire).toBe(true)
        expect(last.has(`reply ${wire}`), wire).toBe(true)
      }
    })

    test('the reply is drawn in a dash pattern of its own, beside the request, not in colour alone', async () => {
      const segment = (leg: string, wire: string) =>
        page.locator(`.topology g.path path[data-state="travelled"][data-leg="${leg}"][data-wire="${wire}"]`)
      const veth = path[1]!
      const request = segment('request', veth)
      const reply = segment('reply', veth)
      const dash = (l: Locator) => l.evaluate((p) => getComputedStyle(p).strokeDasharray)
      expect(await dash(reply)).not.toBe('none')
      expect(await dash(reply)).not.toBe(await dash(request))
      // Side by side: both stay visible where the two legs share a wire.
      expect(await reply.getAttribute('d')).not.toBe(await request.getAttribute('d'))

      const currentDashes = (leg: string) =>
        new Set(views.flatMap((v) => v.current.filter((s) => s.leg === leg).map((s) => s.dash)))
      const requestDashes = currentDashes('request')
      const replyDashes = currentDashes('reply')
      expect(replyDashes.size).toBeGreaterThan(0)
      expect([...replyDashes].filter((d) => d === 'none' || requestDashes.has(d))).toEqual([])
    })

    test('the hop list shows the DNAT on the request and the un-DNAT on the reply', async () => {
      // The SYN-ACK's segment is open; the learner opens the SYN's beside it.
      const syn = page.locator('.stepper [data-segment="1"] > .segment-head')
      if ((await syn.getAttribute('aria-expanded')) !== 'true') await syn.click()
      await page.locator('.stepper [data-segment="1"] .rows').waitFor()
      const groups = await page.locator('.stepper .packet-group').evaluateAll((lis) =>
        lis.map((li) => ({
          leg: li.querySelector('.packet-head')?.getAttribute('data-leg') ?? '',
          rows: [...li.querySelectorAll('.event.summary')].map((b) => b.textContent?.trim() ?? '')
        }))
      )
      const rowsOf = (leg: string) => groups.filter((g) => g.leg === leg).flatMap((g) => g.rows)
      expect(rowsOf('request').some((r) => r.includes('DNAT 10.96.0.120:80 → 10.244.2.2:8080'))).toBe(true)
      expect(rowsOf('reply').some((r) => r.includes('un-DNAT 10.244.2.2:8080 → 10.96.0.120:80'))).toBe(true)
      expect(rowsOf('reply').some((r) => r.includes('DNAT 10.96.0.120:80'))).toBe(false)
    })

    test('at the DNAT hop the inspector opens with what changed, ip.dst and tcp.dport, before any unchanged header', () => {
      // The netfilter hop whose rule did the rewrite, not merely a hop of the DNAT's row.
      const dnat = views.filter((v) => /^DNAT → 10\.244\.2\.2(:8080)?$/.test(v.rewritten))
      expect(dnat.map((v) => v.seq)).toHaveLength(1)
      const hop = dnat[0]!
      expect(hop.currentRow).toContain('DNAT 10.96.0.120:80 → 10.244.2.2:8080')
      const rows = hop.inspectorRows
      expect(
        rows.slice(0, 2).map((r) => ({ field: r.field, change: r.change, cells: r.cells.slice(0, 2) }))
      ).toEqual([
        { field: 'ip.dst', change: 'changed', cells: ['10.96.0.120', '10.244.2.2'] },
        { field: 'tcp.dport', change: 'changed', cells: ['80', '8080'] }
      ])
      const lastChanged = rows.findLastIndex((r) => r.change !== 'same')
      const firstSame = rows.findIndex((r) => r.change === 'same')
      expect(firstSame).toBeGreaterThan(lastChanged)
    })
  })

  describe.each(['en', 'zh-CN'] as const)(
    '%s: with node-1’s cni0 down (the tour’s “break the bridge”)',
    (locale) => {
      test('a ping from client to web-1 dies at client’s eth0: the diagram marks it with the reason and the hop list ends on the drop', async () => {
        const learnerId = await learnerWithTour(`Breaker ${locale}`, locale)
        const broken = await app.service.handlers['shell:exec']({
          learnerId,
          lessonId,
          on: 'node-1',
          line: 'ip link set cni0 down'
        })
        expect(broken.exitCode, broken.stderr).toBe(0)
        const text = messages(locale)
        const reason = text['drop_neigh_failed']!
        const { page, finish } = await openTour(locale)

        await expect
          .poll(() => page.locator('[data-object="node-1/cni0"]').getAttribute('class'))
          .toMatch(/\bdown\b/)
        await sendTrace(page, '10.244.1.3', 'icmp')
        // Not marked before the packet gets there.
        expect(await page.locator('.topology .drop').count()).toBe(0)
        await page.locator('.stepper .controls').focus()
        const total = await hopCount(page)
        for (let seq = await currentSeq(page); (await page.locator('.topology .drop').count()) === 0;) {
          expect(seq + 1, 'the trace ended without a drop on the diagram').toBeLessThan(total)
          await stepForward(page, ++seq)
        }
        expect(await currentSeq(page), 'the drop is the last hop').toBe(total - 1)

        const drop = page.locator('.topology .drop')
        await expect.poll(() => drop.locator('.drop-label').textContent()).toBe(reason)
        // The mark sits just right of the device where the packet died, level with it.
        const spot = await drop.locator('svg').first().boundingBox()
        const device = await page.locator('[data-object="client/eth0"] rect.box').boundingBox()
        expect(spot && device).toBeTruthy()
        const middle = { x: spot!.x + spot!.width / 2, y: spot!.y + spot!.height / 2 }
        expect(middle.y).toBeGreaterThanOrEqual(device!.y)
        expect(middle.y).toBeLessThanOrEqual(device!.y + device!.height)
        expect(middle.x).toBeGreaterThan(device!.x + device!.width)
        expect(middle.x - (device!.x + device!.width)).toBeLessThan(2 * spot!.width)
        // The envelope is gone: the packet did not get any further.
        expect(await page.locator('.topology .packet').count()).toBe(0)

        const rows = page.locator('.stepper .event.summary')
        const last = rows.last()
        expect(await last.getAttribute('class')).toMatch(/\bdropped\b/)
        expect(await last.innerText()).toContain(text['event_dropped']!.replace('{reason}', reason))
        expect(await page.locator('.stepper .event.summary.dropped').count()).toBe(1)
        await finish()
      }, 60_000)
    }
  )
})
