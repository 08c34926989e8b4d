import { expect, test } from 'vitest'
import { CaptureLog } from '../../src-main/core/engine/capture-log.ts'
import type { CapturedFrame, PacketView } from '../../src-main/core/engine/trace.ts'

/**
 * The log is a ring of columns; readers must see what a plain list of frames would hold when it
 * drops its oldest frames in batches: up to a thousand past the limit, then back to the limit.
 */

const views: PacketView[] = [
  { mark: 0, payloadLength: 0 },
  { mark: 0x4000, payloadLength: 60 }
]

function frameNumber(n: number, batch: number): CapturedFrame {
  const frame: CapturedFrame = {
    batch,
    at: n * 1.5,
    netns: `ns-${n % 7}`,
    device: `eth${n % 3}`,
    direction: n % 2 === 0 ? 'in' : 'out',
    frame: views[n % 2]!
  }
  if (n % 5 === 0) frame.promiscOnly = true
  return frame
}

test('past its limit the log holds the same frames in the same order as a list trimmed in batches', () => {
  const limit = 3
  const log = new CaptureLog(limit)
  log.keeping = true
  const plain: CapturedFrame[] = []
  const heard: CapturedFrame[] = []
  log.listeners.add((f) => heard.push(f))
  for (let n = 0; n < 3500; n++) {
    log.batch = Math.floor(n / 400)
    const f = frameNumber(n, log.batch)
    log.record(f.at, f.at, f.netns, f.device, f.direction, f.frame, f.promiscOnly === true)
    plain.push(f)
    if (plain.length > limit + 1000) plain.splice(0, plain.length - limit)
    expect(heard.at(-1)).toEqual(f)
    if (n % 97 === 0 || (n >= 1000 && n <= 1006) || n >= 3490) {
      expect(log.length).toBe(plain.length)
      expect(log.frames).toEqual(plain)
      expect(log.framesOf(log.batch)).toEqual(plain.filter((p) => p.batch === log.batch))
    }
  }
  expect(JSON.stringify(log)).toBe(
    JSON.stringify({ batch: log.batch, frames: plain, limit, listeners: log.listeners })
  )
})
