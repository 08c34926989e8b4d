import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { run } from '../core/shell-fixture.ts'
import { loadScenario, simulatedShell } from './conformance.ts'
import { contextFor, normaliseOutput } from './normalise.ts'

/**
 * The live conformance run loads the simulator's own rule lines into the kernel. This pins the
 * other half: the real kernel's output for rules loaded in the form kube-proxy and flanneld
 * themselves write (`--or-mark`, `-m comment` before `-p`, `--probability 0.3333333333`,
 * nft `add` transactions), captured from real namespaces into test/fixtures/real by
 * capture-real.ts, must be what the simulator prints. Runs without root (the capture is stored).
 */

const fixtures = fileURLToPath(new URL('../fixtures/real/', import.meta.url))

function captured(
  id: string,
  slug: string
): { host: string; line: string; stdout: string; stderr: string; exitCode: number } {
  const file = readdirSync(`${fixtures}${id}`).find((f) => f.endsWith(`-${slug}.txt`))
  if (!file) throw new Error(`no captured ${slug} for ${id}`)
  const text = readFileSync(`${fixtures}${id}/${file}`, 'utf8')
  const m =
    /^# on: (\S+) .*\n(?:#.*\n)*\$ (.*)\n--- stdout\n([\s\S]*?)\n?--- stderr\n([\s\S]*?)\n?--- exit (\d+)\n$/.exec(
      text
    )
  if (!m) throw new Error(`${file}: not in the fixture format`)
  const body = (s: string): string => (s === '' ? '' : s + '\n')
  return { host: m[1]!, line: m[2]!, stdout: body(m[3]!), stderr: body(m[4]!), exitCode: Number(m[5]) }
}

const cases: Array<[string, string]> = [
  ['two-node-vxlan', 'node-iptables-save-nat'],
  ['two-node-vxlan', 'node-iptables-save-filter'],
  ['two-node-host-gw', 'node-iptables-save-nat'],
  ['two-node-host-gw', 'node-iptables-save-filter'],
  ['three-node-k3s', 'node-iptables-save-nat'],
  ['three-node-k3s', 'node-iptables-save-filter'],
  ['two-node-nftables', 'node-iptables-save-nat'],
  ['two-node-nftables', 'node-nft-list-ruleset']
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
