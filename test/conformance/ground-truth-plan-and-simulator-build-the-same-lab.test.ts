import { describe, expect, test } from 'vitest'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { renderLabScript } from '../../src-main/core/scenario/export-lab.ts'
import { labPlanFromLab } from '../../src-main/core/scenario/plan-from-lab.ts'
import { fixtureScenario } from '../core/sim-lab.ts'
import { labPlanFromScenario } from './lab-plan.ts'
import { lineDiff } from './line-diff.ts'

/**
 * The conformance run builds its real namespaces from the hand-written ground truth and compares
 * them with the simulator's own build. Both must be the same lab — the same namespaces, links,
 * identities, addresses, routes, neighbours, FDB entries, sysctls, iptables rules and apps —
 * or the run would compare two different clusters. Checked here without root, in milliseconds.
 *
 * The one part written in two forms is kube-proxy's nftables table: the ground truth writes the
 * transaction kube-proxy sends (`add table …`), the simulator holds the table as `nft list`
 * prints it. The conformance run compares the two through the kernel (`nft list ruleset`).
 */

const variants = ['two-node-vxlan', 'two-node-host-gw', 'three-node-k3s', 'two-node-nftables']

/** The script with each `nft -f` ruleset body replaced by a marker. */
function withoutNftBodies(script: string): string {
  return script.replace(/(nft -f - <<'(PNL_\w+)')\n[\s\S]*?\n\2(?=\n)/g, '$1 (ruleset elided)')
}

/** Only the changed lines of a diff, with two lines of context, so a failure reads at a glance. */
function changedLines(diff: string): string {
  const lines = diff.split('\n')
  const keep = new Set<number>()
  lines.forEach((l, i) => {
    if (l.startsWith('  ')) return
    for (let k = Math.max(0, i - 2); k <= Math.min(lines.length - 1, i + 2); k++) keep.add(k)
  })
  return [...keep]
    .sort((a, b) => a - b)
    .map((i) => lines[i])
    .join('\n')
}

describe('the ground-truth plan and the simulator build the same lab', () => {
  test.each(variants)('%s: both plans render the same lab script', (id) => {
    const scenario = fixtureScenario(id)
    const truth = withoutNftBodies(renderLabScript(labPlanFromScenario(scenario)))
    const simulated = withoutNftBodies(renderLabScript(labPlanFromLab(buildLab(scenario))))
    if (simulated !== truth)
      expect.fail(
        `${id}: the simulator's lab differs from what the real components create (- ground truth, + simulator):\n${changedLines(lineDiff(truth, simulated))}`
      )
  })
})
