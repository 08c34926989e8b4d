import { expect, test } from 'vitest'
import { withWebHost } from './api-call.ts'
import { walkLessonTo } from './lesson-walk.ts'
import { openTerminal, post, printed } from './live-terminal-client.ts'
import { openStreamSocket } from './stream-socket-client.ts'

const lessonId = 'lab-no-endpoints'
/** The lesson's prediction: whether a ping to the endpoint-less ClusterIP gets through. */
const predictStep = 'predict-ping'
const ping = { from: 'client', to: '10.96.0.100', protocol: 'icmp' } as const

/** A frame as `tcpdump -tt -i any` prints it: the stamp in µs, the interface, the direction. */
interface Seen {
  us: number
  device: string
  direction: string
  text: string
}

function framesIn(output: string): Seen[] {
  return [...output.matchAll(/^(\d+)\.(\d{6}) (\S+)\s+(In|Out|P|B|M)\s+(.*)$/gm)].map((m) => ({
    us: Number(m[1]) * 1e6 + Number(m[2]),
    device: m[3]!,
    direction: m[4]!,
    text: m[5]!
  }))
}

/** The echo request as node-1 sees it go through: from client's veth into cni0, out of eth0. */
function expectThroughNode(frames: Seen[]): void {
  expect(frames.map((f) => [f.device.replace(/^veth\w+$/, 'veth'), f.direction])).toEqual([
    ['veth', 'P'],
    ['cni0', 'In'],
    ['eth0', 'Out']
  ])
  for (const f of frames) expect(f.text).toMatch(/> 10\.96\.0\.100: ICMP echo request, id \d+, seq 1/)
  expect(frames.map((f) => f.us)).toEqual([...frames.map((f) => f.us)].sort((a, b) => a - b))
}

/**
 * Nothing in these steps moves the lab clock: no terminal line runs after the capture starts, and
 * a ping that gets no answer leaves the clock where it was. So what the capture printed came from
 * the trace itself, not from a later line letting held frames go.
 */
test('a running capture prints a trace’s frames as soon as it is made: a lesson’s predicted ping, then the same ping from the stepper, each in its time order', async () => {
  await withWebHost(
    async (host) => {
      const { id: learnerId } = await post<{ id: string }>(host, 'profiles:create', { name: 'Ada' })
      await walkLessonTo((method, input) => post(host, method, input), learnerId, lessonId, predictStep)
      const page = openStreamSocket(host.origin, host.token)
      await page.opened
      const lab = { kind: 'lesson' as const, lessonId }
      const capture = await openTerminal(page, 'cap', { learnerId, lab, on: 'node-1' })
      const started = await post<{ running?: true }>(host, 'lab:terminalInput', {
        learnerId,
        lab,
        terminalId: capture,
        line: 'tcpdump -tt -ni any icmp'
      })
      expect(started.running).toBe(true)

      // Locking in the prediction makes the lesson send the ping itself.
      await post(host, 'lesson:send', {
        learnerId,
        lessonId,
        event: { type: 'user.predict', value: 'dropped' }
      })
      const predicted = framesIn(printed(page, 'cap'))
      expectThroughNode(predicted)

      const { traceId } = await post<{ traceId: number }>(host, 'trace:run', {
        learnerId,
        lessonId,
        trace: ping
      })
      const all = framesIn(printed(page, 'cap'))
      expect(all.slice(0, predicted.length)).toEqual(predicted)
      const stepped = all.slice(predicted.length)
      expectThroughNode(stepped)
      // Where the stepper's own capture files say the ping went on node-1, one frame each.
      const { points } = await post<{ points: { netns: string; device: string; frames: number }[] }>(
        host,
        'trace:capturePoints',
        { learnerId, lab, traceId }
      )
      expect(stepped.map((f) => f.device)).toEqual(
        points.filter((p) => p.netns === 'node-1').flatMap((p) => Array<string>(p.frames).fill(p.device))
      )
      await page.close()
    },
    (service) => ({ streams: service.streams })
  )
}, 60_000)
