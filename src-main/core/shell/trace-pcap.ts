/**
 * A packet trace as a capture file: every frame the trace put on a link (one record per
 * `link-xmit` hop, so a pod-to-pod ping shows on the pod's eth0, cni0, flannel.1 and the
 * node's eth0 with its VXLAN wrapping), written with the same bytes `tcpdump -w` writes.
 */

import type { Trace } from '../engine/trace.ts'
import type { Lab } from '../kube/lab.ts'
import { encodeFrame, pcapFile } from './packet-bytes.ts'

/**
 * Frames get the trace's send time plus one microsecond per hop: the engine's walk has no
 * per-hop clock, and strictly increasing stamps keep readers from reordering the records.
 */
export function tracePcap(lab: Lab, trace: Trace): Uint8Array {
  const frames = trace.hops.flatMap((hop) => {
    const frame = hop.after
    if (hop.stage !== 'link-xmit' || !frame?.eth) return []
    return [{ atMs: lab.clock.epochMs + trace.at + hop.seq / 1000, bytes: encodeFrame(frame) }]
  })
  return pcapFile(frames)
}
