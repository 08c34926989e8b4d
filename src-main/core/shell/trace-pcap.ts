/**
 * A packet trace as capture files: the frames the walk recorded at every capture point (a pod's
 * eth0, the veth's host side, cni0 — bridged frames too, as promiscuous `tcpdump -i cni0` sees
 * them —, flannel.1 with the inner frame, the node's eth0 with the VXLAN wrapping), written
 * with the same bytes `tcpdump -w` writes. One file per capture point, as a Wireshark user
 * captures one interface at a time, or all of them in one pcapng.
 */

import type { CapturedFrame } from '../engine/trace.ts'
import type { Lab } from '../kube/lab.ts'
import { encodeFrame, pcapFile } from './packet-bytes.ts'
import { pcapngFile } from './pcapng-file.ts'

/** An interface the trace's frames crossed, named `netns/device` like the lab's object ids. */
export interface CapturePoint {
  id: string
  netns: string
  device: string
  frames: number
}

/**
 * Runs `send` and returns, beside its result, every frame the walk recorded while it ran. `send`
 * is a trace (`sendTrace`) or a command line: either hands running captures all it sent, later
 * in time or not, when it ends.
 */
export function recordingFrames<T>(lab: Lab, send: () => T): { result: T; frames: CapturedFrame[] } {
  const frames: CapturedFrame[] = []
  const listener = (frame: CapturedFrame): void => {
    frames.push(frame)
  }
  lab.capture.listeners.add(listener)
  try {
    return { result: send(), frames }
  } finally {
    lab.capture.listeners.delete(listener)
  }
}

const pointId = (f: CapturedFrame): string => `${f.netns}/${f.device}`

/** The capture points in the order the packet first reached them. */
export function capturePointsOf(frames: readonly CapturedFrame[]): CapturePoint[] {
  const points = new Map<string, CapturePoint>()
  for (const f of frames) {
    const id = pointId(f)
    const point = points.get(id)
    if (point) point.frames++
    else points.set(id, { id, netns: f.netns, device: f.device, frames: 1 })
  }
  return [...points.values()]
}

/**
 * Microsecond stamps from the frames' own times. A bridge and the port it forwards a frame out
 * of see it at the same microsecond; the later of two such frames in walk order is stamped one
 * microsecond on, so every file's stamps increase as a capture's do.
 */
function stampsUs(lab: Lab, frames: readonly CapturedFrame[]): number[] {
  let last = -Infinity
  return frames.map((f) => {
    last = Math.max(Math.round((lab.clock.epochMs + f.at) * 1000), last + 1)
    return last
  })
}

/** One capture point's frames as a libpcap file, or undefined when the trace never crossed it. */
export function interfacePcap(
  lab: Lab,
  frames: readonly CapturedFrame[],
  point: string
): Uint8Array | undefined {
  const stamps = stampsUs(lab, frames)
  const on = frames.flatMap((f, i) =>
    pointId(f) === point ? [{ atMs: (stamps[i] ?? 0) / 1000, bytes: encodeFrame(f.frame) }] : []
  )
  return on.length === 0 ? undefined : pcapFile(on)
}

/** Every capture point's frames in one pcapng: an interface block per point, each frame on its own. */
export function allInterfacesPcapng(lab: Lab, frames: readonly CapturedFrame[]): Uint8Array {
  const points = capturePointsOf(frames)
  const index = new Map(points.map((p, i) => [p.id, i]))
  const stamps = stampsUs(lab, frames)
  return pcapngFile(
    points.map((p) => ({ name: p.id, description: `${p.device} in network namespace ${p.netns}` })),
    frames.map((f, i) => ({
      interfaceId: index.get(pointId(f)) ?? 0,
      atUs: stamps[i] ?? 0,
      direction: f.direction,
      bytes: encodeFrame(f.frame)
    }))
  )
}
