import { describe, expect, test } from 'vitest'
import { labPlanFromLab } from '../../src-main/core/scenario/plan-from-lab.ts'
import { run } from '../core/shell-fixture.ts'
import { loadScenario, simulatedShell } from './conformance.ts'
import { capturedFixture } from './fixture-format.ts'
import { contextFor, normaliseOutput } from './normalise.ts'
import { stepsFor } from './steps.ts'

/**
 * The kernel's sysctl tree and bridge forwarding database on namespaces built from the
 * hand-written ground-truth plan (what flannel, the CNI plugins and kube-proxy set up),
 * captured into test/fixtures/real by capture-real.ts, must be what the simulator prints.
 * That plan draws its own MACs and veth names, so those are masked: every line, flag, value
 * and the order of the kinds of entry are compared. Runs without root (the capture is stored).
 */

function maskNames(text: string): string {
  return text
    .replace(/\bveth[0-9a-f]{8}\b/g, 'vethX')
    .replace(/\b33:33:ff(:[0-9a-f]{2}){3}\b/g, '33:33:ff:SOLICITED')
    .replace(/\b(?!33:33|01:00:5e)[0-9a-f]{2}(:[0-9a-f]{2}){5}\b/g, 'MAC')
}

const slugs = [
  'node-sysctl-ipv4-conf',
  'pod-sysctl-ipv4-conf',
  'node-sysctl-keys-and-unknown',
  'node-cat-proc-sys-send-redirects',
  'node-bridge-fdb-all',
  'node-bridge-fdb-dev-cni0',
  'node-bridge-fdb-brport'
]
const variants = ['two-node-vxlan', 'two-node-host-gw', 'three-node-k3s', 'two-node-nftables']

describe("the kernel's sysctls and FDB listings (captured) are what the simulator prints", () => {
  test.each(variants.flatMap((id) => slugs.map((slug) => [id, slug] as const)))('%s: %s', (id, slug) => {
    const scenario = loadScenario(id)
    const real = capturedFixture(id, slug)
    const shell = simulatedShell(scenario)
    // The same step on the simulator's own names (the brport is the client's veth).
    const step = stepsFor(scenario, labPlanFromLab(shell.lab)).find((st) => st.slug === slug)!
    const sim = run(shell, step.on, step.run)
    const ctx = contextFor(scenario)
    const underlay = real.host.startsWith('node')
    expect(maskNames(normaliseOutput({ run: real.line }, sim, ctx, underlay))).toBe(
      maskNames(normaliseOutput({ run: real.line }, real, ctx, underlay))
    )
  })
})
