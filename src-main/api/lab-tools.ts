import type { Trace } from '../core/engine/trace.ts'
import type { Lab } from '../core/kube/lab.ts'
import { completeLine, type Completion } from '../core/shell/complete.ts'
import type { LabShell } from '../core/shell/lab-shell.ts'
import { completionData, resolveTarget } from '../core/shell/targets.ts'
import { tracePcap } from '../core/shell/trace-pcap.ts'
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

/**
 * The traces a lab produced, by id, so a capture can be downloaded later without the renderer
 * sending packets back (which it could forge) or the lab re-running a probe (which changes it).
 */
export class TraceMemory {
  readonly #traces = new Map<number, Trace>()
  #next = 1

  keep(trace: Trace): number {
    const id = this.#next++
    this.#traces.set(id, trace)
    for (const old of this.#traces.keys()) {
      if (this.#traces.size <= keptTraces) break
      this.#traces.delete(old)
    }
    return id
  }

  get(id: number): Trace {
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

/** A trace as a libpcap file named after where the packet went. */
export function pcapDownload(lab: Lab, trace: Trace): DownloadFile {
  const bytes = tracePcap(lab, trace)
  const to = trace.probe.to.replace(/[^a-zA-Z0-9.-]+/g, '-')
  const from = trace.probe.from.replace(/[^a-zA-Z0-9.-]+/g, '-')
  return {
    fileName: `podnet-${trace.probe.proto}-${from}-to-${to}.pcap`,
    mimeType: 'application/vnd.tcpdump.pcap',
    base64: Buffer.from(bytes).toString('base64')
  }
}
