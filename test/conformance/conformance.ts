import { appendFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import type { Scenario } from '../../src-main/core/scenario/scenario.schema.ts'
import { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShellFromYaml, run as simRun } from '../core/shell-fixture.ts'
import { fixtureScenario as loadScenario } from '../core/sim-lab.ts'
import { labPlanFromLab } from '../../src-main/core/scenario/plan-from-lab.ts'
import { labPlanFromScenario } from './lab-plan.ts'
import { lineDiff } from './line-diff.ts'
import { contextFor, normaliseOutput, type NormaliseContext } from './normalise.ts'
import { RealLab, realLabUnavailable, type Output } from './real-lab.ts'
import { comparedCount, stepsFor, type Step } from './steps.ts'

/**
 * One conformance variant: build the scenario in the simulator; build it for real, with
 * `podnet export-lab`'s generator, from the hand-written ground-truth plan (lab-plan.ts: what
 * flannel, the bridge CNI and kube-proxy create), never from the simulator's lab; run the same
 * command lines on both in the same order, and compare each normalised output (stdout, stderr,
 * exit code). A pass shows that the simulator's state is what the real components create.
 */

/** Each variant compares at least this many outputs with the kernel's: short of it, too much goes unchecked. */
export const MIN_COMPARED = 80

/** A fixture scenario (test/fixtures/scenarios/<id>.yaml), parsed and checked. */
export { loadScenario }

/** The simulated side of a comparison: the scenario built into a lab, its setup applied. */
export function simulatedShell(scenario: Scenario): LabShell {
  const shell = new LabShell(buildLab(scenario))
  const problems = shell.applySetup()
  if (problems.length > 0) throw new Error(problems.join('\n'))
  return shell
}

/**
 * Command lines run in order on a fixture scenario's simulated lab and on real namespaces built
 * from that lab, each output compared once `stable` has masked what differs between any two
 * runs (times, MACs). `execMs` bounds one line on the real side.
 */
export function compareWithRealLab(
  title: string,
  scenarioId: string,
  prefix: string,
  lines: readonly { readonly on: string; readonly run: string }[],
  stable: (o: Output) => string,
  execMs = 20_000
): void {
  const unavailable = realLabUnavailable()
  describe.skipIf(unavailable !== undefined)(title, () => {
    const sim = simulatedShell(loadScenario(scenarioId))
    let real: RealLab | undefined
    const realOut: Output[] = []

    beforeAll(async () => {
      real = new RealLab(labPlanFromLab(sim.lab), prefix)
      await real.up()
      for (const c of lines) realOut.push(await real.exec(c.on, c.run, execMs))
    }, 180_000)

    afterAll(async () => {
      await real?.down()
    }, 60_000)

    lines.forEach((c, i) => {
      test(`${c.on}: ${c.run}`, () => {
        expect(stable(simRun(sim, c.on, c.run))).toBe(stable(realOut[i]!))
      })
    })
  })
}

/**
 * An output as one text, with what differs between any two runs of ping masked: each echo's
 * time, the rtt summary and the total time.
 */
export function withPingTimesMasked(o: Output): string {
  return `${o.stdout}--- ${o.stderr}--- exit ${o.exitCode}`
    .replace(/time=[\d.]+ ms/g, 'time=<t> ms')
    .replace(/rtt .*\n/g, 'rtt <t>\n')
    .replace(/time \d+ms/g, 'time <t>ms')
}

export interface Compared {
  label: string
  sim: string
  real: string
}

/** A line a step runs: the step's own, or a capture's traffic. */
type StepLine = Pick<Step, 'on' | 'run'> & { randomBackends?: string[] }

/**
 * A step run on the simulated side and compared with what it printed on the real one, each
 * output normalised by `norm`: a capture's traffic first, then the capture (the simulator's
 * tcpdump shows what crossed during the latest traffic).
 */
export function compareStep(
  sim: LabShell,
  step: Step,
  real: { traffic?: Output; output: Output },
  norm: (line: StepLine, out: Output) => string
): Compared[] {
  const one = (line: StepLine, realOut: Output): Compared => ({
    label: `${line.on}: ${line.run}`,
    sim: norm(line, simRun(sim, line.on, line.run)),
    real: norm(line, realOut)
  })
  return step.kind === 'capture'
    ? [one(step.traffic, real.traffic!), one(step, real.output)]
    : [one(step, real.output)]
}

/** Every comparison of a step equal, the differing one named by its command line. */
export function expectAsTheKernel(compared: Compared[] | undefined): void {
  expect(compared, 'the step did not run (see the beforeAll error)').toBeDefined()
  for (const c of compared!)
    expect(c.sim, `${c.label}\n(expected = real kernel, received = simulator)`).toBe(c.real)
}

export function defineConformance(id: string, prefix: string): void {
  const unavailable = realLabUnavailable()
  const title = `${id}: the simulator prints what real Linux namespaces print`
  if (unavailable) {
    // CI runs as root with the tools installed: a suite that cannot build namespaces there is
    // broken, not absent, and must not turn into a quiet skip.
    if (process.env.CI)
      throw new Error(`conformance ${id}: CI is set but real namespaces cannot be built: ${unavailable}`)
    console.warn(`conformance ${id} skipped: ${unavailable}`)
    describe.skip(title, () => {
      test('needs root and the networking tools', () => {})
    })
    return
  }
  const scenario = loadScenario(id)
  const ctx = contextFor(scenario)
  const plan = labPlanFromScenario(scenario)
  const steps: Step[] = stepsFor(scenario, plan)
  const kind = new Map(plan.hosts.map((h) => [h.name, h.kind]))
  const underlayHost = (on: string): boolean => kind.get(on) !== 'pod'
  const results = new Map<Step, Compared[]>()
  let real: RealLab | undefined

  describe(title, () => {
    beforeAll(async () => {
      const sim = simulatedShell(scenario)
      real = new RealLab(plan, prefix)
      await real.up()
      for (const step of steps) {
        const r = await real.runStep(step)
        results.set(
          step,
          compareStep(sim, step, r, (line, out) => normaliseOutput(line, out, ctx, underlayHost(line.on)))
        )
      }
    }, 180_000)

    afterAll(async () => {
      await real?.down()
      // PNL_CONFORMANCE_REPORT=FILE appends every mismatch as a diff (for KNOWN-DIFFERENCES.md).
      const report = process.env.PNL_CONFORMANCE_REPORT
      if (report) {
        const parts: string[] = []
        for (const compared of results.values()) {
          for (const c of compared) {
            if (c.sim !== c.real)
              parts.push(`#### ${id} — \`${c.label}\`\n\n\`\`\`diff\n${lineDiff(c.real, c.sim)}\n\`\`\`\n`)
          }
        }
        appendFileSync(report, parts.join('\n'))
      }
    }, 60_000)

    test(`compares at least ${MIN_COMPARED} command outputs`, () => {
      expect(comparedCount(steps)).toBeGreaterThanOrEqual(MIN_COMPARED)
    })

    // A tool the simulator does not have yet cannot be compared; such steps show up as skipped
    // (named, and listed on the console) and start comparing the moment the tool is registered.
    const registry = simulatedShell(scenario).registry
    const missingTool = (step: Step): string | undefined =>
      [step.run, ...(step.kind === 'capture' ? [step.traffic.run] : [])]
        .map((l) => l.trim().split(/\s+/)[0]!)
        .find((t) => registry.get(t) === undefined)
    const notYet = steps.flatMap((st) => (missingTool(st) ? [`${st.on}: ${st.run}`] : []))
    if (notYet.length > 0)
      console.warn(
        `conformance ${id}: ${notYet.length} steps wait for simulator commands:\n  ${notYet.join('\n  ')}`
      )

    steps.forEach((step, i) => {
      const base =
        step.kind === 'capture'
          ? `${String(i + 1).padStart(2, '0')} ${step.on}: ${step.run} (while ${step.traffic.on}: ${step.traffic.run})`
          : `${String(i + 1).padStart(2, '0')} ${step.on}: ${step.run}`
      const missing = missingTool(step)
      const known = knownDifference(id, step)
      const name = missing
        ? `${base} (simulator has no \`${missing}\` yet)`
        : known
          ? `${base} (SKIPPED, known simulator difference: ${known})`
          : base
      // Known differences are skipped by name and listed on the console, never passed silently;
      // KNOWN-DIFFERENCES.md holds their diffs. (Not test.fails: whether the real kernel shows
      // the IPv6 link-up frames in time varies from run to run.)
      ;(missing || known ? test.skip : test)(name, () => expectAsTheKernel(results.get(step)))
    })
  })
}

/**
 * Simulator bugs the conformance run found and nobody has fixed yet: the variant, the host and
 * the exact command line of the failing step, so a difference never hides the same command in
 * another variant or on another host. KNOWN-DIFFERENCES.md lists the same entries with their
 * diffs; known-differences-doc.test.ts keeps the two equal.
 */
export const knownDifferences: readonly KnownDifference[] = []

export interface KnownDifference {
  variant: string
  on: string
  run: string
  why: string
}

function knownDifference(variant: string, step: Step): string | undefined {
  const why = knownDifferences.find(
    (k) => k.variant === variant && k.on === step.on && k.run === step.run
  )?.why
  if (why)
    console.warn(
      `conformance ${variant}: not compared (known simulator difference): ${step.on}: ${step.run} — ${why}`
    )
  return why
}

/**
 * A lab written as scenario YAML, built in the simulator and from real namespaces made from the
 * simulator's own plan, with `steps` run on both and one test per step. For what the variants'
 * ground-truth plan cannot pin: a Service with one backend, an outside host, a first packet.
 * `underlay` names the hosts whose outputs mask the underlay's addresses; `then` may reduce a
 * normalised output further (to the backends a run of curls saw, say).
 */
export function defineLabComparison(options: {
  title: string
  yaml: string
  prefix: string
  steps: Step[]
  underlay: (on: string) => boolean
  context?: (ctx: NormaliseContext) => void
  then?: (line: StepLine, text: string) => string
}): void {
  const { title, yaml, prefix, steps, underlay, then } = options
  const unavailable = realLabUnavailable()
  // As in the variants: where CI runs as root, a lab that cannot be built is broken, not absent.
  if (unavailable && process.env.CI)
    throw new Error(`${title}: CI is set but real namespaces cannot be built: ${unavailable}`)
  describe.skipIf(unavailable !== undefined)(`${title}: the simulator prints what real Linux prints`, () => {
    const results = new Map<Step, Compared[]>()
    let real: RealLab | undefined
    const ctx = contextFor(labShellFromYaml(yaml).lab.scenario)
    options.context?.(ctx)

    beforeAll(async () => {
      const sim = labShellFromYaml(yaml)
      real = new RealLab(labPlanFromLab(sim.lab), prefix)
      await real.up()
      for (const step of steps) {
        const r = await real.runStep(step)
        results.set(
          step,
          compareStep(sim, step, r, (line, out) => {
            const text = normaliseOutput(line, out, ctx, underlay(line.on))
            return then ? then(line, text) : text
          })
        )
      }
    }, 180_000)

    afterAll(async () => {
      await real?.down()
    }, 60_000)

    steps.forEach((step, i) => {
      test(`${String(i + 1).padStart(2, '0')} ${step.on}: ${step.run}`, () =>
        expectAsTheKernel(results.get(step)))
    })
  })
}
