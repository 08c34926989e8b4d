import { describe, expect, test } from 'vitest'
import { run } from '../core/shell-fixture.ts'
import { loadScenario, simulatedShell } from './conformance.ts'
import { capturedFixture as captured } from './fixture-format.ts'
import { contextFor, normaliseOutput } from './normalise.ts'

/**
 * The live conformance run loads the simulator's own rule lines into the kernel. This pins the
 * other half: the real kernel's output for rules loaded in the form kube-proxy and flanneld
 * themselves write (`--or-mark`, `-m comment` before `-p`, `--probability 0.3333333333`,
 * nft `add` transactions) and nft's listing of each of its objects, captured from real namespaces into test/fixtures/real by
 * capture-real.ts, must be what the simulator prints. Runs without root (the capture is stored).
 */

const cases: Array<[string, string]> = [
  ['two-node-vxlan', 'node-iptables-save-nat'],
  ['two-node-vxlan', 'node-iptables-save-filter'],
  ['two-node-host-gw', 'node-iptables-save-nat'],
  ['two-node-host-gw', 'node-iptables-save-filter'],
  ['three-node-k3s', 'node-iptables-save-nat'],
  ['three-node-k3s', 'node-iptables-save-filter'],
  ['two-node-nftables', 'node-iptables-save-nat'],
  ['two-node-nftables', 'node-nft-list-ruleset'],
  ['two-node-nftables', 'node-nft-list-tables'],
  ['two-node-nftables', 'node-nft-list-table'],
  ['two-node-nftables', 'node-nft-list-chain'],
  ['two-node-nftables', 'node-nft-list-set'],
  ['two-node-nftables', 'node-nft-list-map'],
  ['two-node-nftables', 'node-nft-list-unknown-chain'],
  ['two-node-nftables', 'node-nft-list-unknown-table'],
  ['two-node-nftables', 'node-nft-list-unknown-set']
]

describe("the kernel's rendering of kube-proxy's and flanneld's own rule form (captured) is what the simulator prints", () => {
  test.each(cases)('%s: %s', (id, slug) => {
    const scenario = loadScenario(id)
    const real = captured(id, slug)
    const sim = run(simulatedShell(scenario), real.host, real.line)
    const ctx = contextFor(scenario)
    expect(normaliseOutput({ run: real.line }, sim, ctx, true)).toBe(
      normaliseOutput({ run: real.line }, real, ctx, true)
    )
  })
})
