import type { CapturedFrame, Trace } from '../core/engine/trace.ts'
import type { Lab } from '../core/kube/lab.ts'
import { completeLine, type Completion } from '../core/shell/complete.ts'
import type { LabShell } from '../core/shell/lab-shell.ts'
import { completionData, resolveTarget } from '../core/shell/targets.ts'
import {
  allInterfacesPcapng,
  capturePointsOf,
  interfacePcap,
  type CapturePoint
} from '../core/shell/trace-pcap.ts'
import { ApiError } from './envelope.ts'
import { reason } from './error-reasons.ts'

/** A file for the renderer to save; binary content travels base64-encoded in the JSON envelope. */
export interface DownloadFile {
  fileName: string
  mimeType: string
  base64: string
}

/** How many traces a lab keeps for `trace:pcap`: the stepper only ever shows the latest few. */
const keptTraces = 20

/** A trace and the frames its walk put on every capture point, in walk order. */
export interface KeptTrace {
  trace: Trace
  frames: readonly CapturedFrame[]
}

/** Which capture file `trace:pcap` writes: one interface's pcap, or every interface in one pcapng. */
export type CaptureChoice = { format: 'pcap'; point: string } | { format: 'pcapng' }

/**
 * The traces a lab produced, by id, so a capture can be downloaded later without the renderer
 * sending packets back (which it could forge) or the lab re-running a probe (which changes it).
 */
export class TraceMemory {
  readonly #traces = new Map<number, KeptTrace>()
  #next = 1

  keep(trace: Trace, frames: readonly CapturedFrame[]): number {
    const id = this.#next++
    this.#traces.set(id, { trace, frames })
    for (const old of this.#traces.keys()) {
      if (this.#traces.size <= keptTraces) break
      this.#traces.delete(old)
    }
    return id
  }

  get(id: number): KeptTrace {
    const trace = this.#traces.get(id)
    if (!trace) {
      throw new ApiError('not_found', `no trace ${id} in this lab; run the trace again`, {
        reason: reason('unknown_trace', { traceId: id })
      })
    }
    return trace
  }

  clear(): void {
    this.#traces.clear()
  }
}

/** Tab completion for a line typed on one of the lab's targets. */
export function completeOn(shell: LabShell, on: string, line: string, cursor: number): Completion {
  const target = resolveTarget(shell.lab, on)
  if (!target) {
    throw new ApiError('not_found', `no node, pod, pod/container or external host named "${on}"`, {
      reason: reason('unknown_target', { name: on })
    })
  }
  return completeLine(line, cursor, completionData(shell.lab, shell.registry, target))
}

const fileNamePart = (text: string): string => text.replace(/[^a-zA-Z0-9.-]+/g, '-')

/** The interfaces a kept trace can be downloaded for, in the order the packet reached them. */
export function capturePoints(kept: KeptTrace): CapturePoint[] {
  return capturePointsOf(kept.frames)
}

/**
 * A trace as a capture file named after where the packet went: one interface's frames as a
 * libpcap file, or every interface's as a pcapng.
 */
export function pcapDownload(
  lab: Lab,
  kept: KeptTrace,
  traceId: number,
  capture: CaptureChoice
): DownloadFile {
  const { probe } = kept.trace
  const name = `podnet-${probe.proto}-${fileNamePart(probe.from)}-to-${fileNamePart(probe.to)}`
  if (capture.format === 'pcapng') {
    return {
      fileName: `${name}.pcapng`,
      mimeType: 'application/x-pcapng',
      base64: Buffer.from(allInterfacesPcapng(lab, kept.frames)).toString('base64')
    }
  }
  const bytes = interfacePcap(lab, kept.frames, capture.point)
  if (!bytes) {
    throw new ApiError('not_found', `trace ${traceId} never crossed the interface "${capture.point}"`, {
      reason: reason('unknown_capture_point', { point: capture.point, traceId })
    })
  }
  return {
    fileName: `${name}-on-${fileNamePart(capture.point)}.pcap`,
    mimeType: 'application/vnd.tcpdump.pcap',
    base64: Buffer.from(bytes).toString('base64')
  }
}
