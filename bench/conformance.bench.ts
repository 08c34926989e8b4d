import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import type { Figure } from './figure.ts'
import { buildLab } from '../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../src-main/core/scenario/parse-scenario.ts'
import { labPlanFromLab } from '../src-main/core/scenario/plan-from-lab.ts'
import type { Scenario } from '../src-main/core/scenario/scenario.schema.ts'
import { LabShell } from '../src-main/core/shell/lab-shell.ts'
import { RealLab, realLabUnavailable } from '../test/conformance/real-lab.ts'

/**
 * Building the 2-node lesson lab (lessons/00-tour: two nodes, flannel VXLAN, kube-proxy
 * iptables) in the simulator vs from real network namespaces with the script
 * `podnet export-lab` writes (`up`: namespaces, links, addresses, routes, rules, apps until
 * they listen). The real side needs root; without it only the simulator's figure is printed.
 */

// The course's 2-node lab (the tour); the conformance fixture of the same shape if it is gone.
const lessonFile = fileURLToPath(new URL('../lessons/00-tour/scenario.yaml', import.meta.url))
const fixtureFile = fileURLToPath(new URL('../test/fixtures/scenarios/two-node-vxlan.yaml', import.meta.url))
const file = existsSync(lessonFile) ? lessonFile : fixtureFile
const label = file === lessonFile ? 'two-node-lesson' : 'two-node-vxlan'

function scenario(): Scenario {
  const parsed = parseScenario(readFileSync(file, 'utf8'), file)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return parsed.scenario
}

const s = scenario()
const medians: { sim?: number; real?: number } = {}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b)
  const m = Math.floor(v.length / 2)
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2
}

/** The simulator's whole build: the lab, then the scenario's `setup:` lines through the shell. */
function simBuildMs(): number {
  const t0 = performance.now()
  new LabShell(buildLab(s)).applySetup()
  return performance.now() - t0
}

async function realBuildMs(): Promise<number> {
  const shell = new LabShell(buildLab(s))
  shell.applySetup()
  const lab = new RealLab(labPlanFromLab(shell.lab), 'pnl-bench')
  try {
    const t0 = performance.now()
    await lab.up()
    return performance.now() - t0
  } finally {
    await lab.down()
  }
}

const simSamples: number[] = []
const realSamples: number[] = []
const unavailable = realLabUnavailable()

const figures: Figure[] = [
  {
    name: `lab-build.sim.${label}`,
    unit: 'ms',
    target: 'none',
    runs: 200,
    setup: () => {
      for (let i = 0; i < 20; i++) simBuildMs() // warm the JIT
    },
    sample: () => {
      const v = simBuildMs()
      simSamples.push(v)
      medians.sim = median(simSamples)
      return v
    }
  }
]

if (!unavailable) {
  figures.push(
    {
      name: `lab-build.real.${label}`,
      unit: 'ms',
      target: 'none',
      runs: 3,
      sample: async () => {
        const v = await realBuildMs()
        realSamples.push(v)
        medians.real = median(realSamples)
        return v
      }
    },
    {
      name: 'lab-build.ratio.real-over-sim',
      unit: 'x',
      target: '>= 1000x',
      runs: 1,
      sample: async () => {
        if (medians.sim === undefined) medians.sim = median(Array.from({ length: 50 }, simBuildMs))
        if (medians.real === undefined)
          medians.real = median([await realBuildMs(), await realBuildMs(), await realBuildMs()])
        return medians.real / medians.sim
      },
      details: () => [
        `real namespaces ${medians.real?.toFixed(0)} ms / simulator ${medians.sim?.toFixed(3)} ms`
      ]
    }
  )
} else {
  console.warn(`lab-build.real: skipped (${unavailable})`)
}

export default figures
