import { readFileSync } from 'node:fs'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import type { LabShellOptions } from '../../src-main/core/shell/lab-shell.ts'

/** A fresh lab from a fixture scenario (`two-node-vxlan` unless named), with its shells. */
export function labShell(name = 'two-node-vxlan', options: LabShellOptions = {}): LabShell {
  const file = `test/fixtures/scenarios/${name}.yaml`
  return labShellFromYaml(readFileSync(file, 'utf8'), file, options)
}

/** A lab from scenario text written in the test itself. */
export function labShellFromYaml(
  text: string,
  file = 'inline.yaml',
  options: LabShellOptions = {}
): LabShell {
  const parsed = parseScenario(text, file)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  const shell = new LabShell(buildLab(parsed.scenario), options)
  const problems = shell.applySetup()
  if (problems.length > 0) throw new Error(problems.map((p) => p.text).join('\n'))
  return shell
}

/** Run a line on a target; fails the test if the target does not exist. */
export function run(
  shell: LabShell,
  on: string,
  line: string
): { stdout: string; stderr: string; exitCode: number } {
  const r = shell.run(on, line)
  if (!r) throw new Error(`no target ${on}`)
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }
}

/**
 * A fresh lab whose node-1 has built a scratch namespace `t` by `ip -n t <line>` for each of
 * `lines`, every one of which must succeed (exit 0).
 */
export function labWithNetnsT(lines: readonly string[]): LabShell {
  const shell = labShell()
  for (const line of ['ip netns add t', ...lines.map((l) => `ip -n t ${l}`)]) {
    const r = run(shell, 'node-1', line)
    if (r.exitCode !== 0) throw new Error(`${line}: exit ${r.exitCode}\n${r.stderr}`)
  }
  return shell
}

/** The lines of `labWithNetnsT` that give `t` an `eth0` whose veth peer `peer0` is up, as is eth0. */
export const UP_VETH_PAIR = [
  'link add eth0 type veth peer name peer0',
  'link set eth0 up',
  'link set peer0 up'
]

/**
 * A fresh lab whose live terminals schedule their timers into `timers` instead of a clock, so a
 * test fires them (a capture's next poll, a ping's next echo) when it chooses.
 */
export function liveLab(): {
  s: LabShell
  timers: (() => void)[]
  terminal: (on: string) => NonNullable<ReturnType<LabShell['liveTerminal']>>
} {
  const s = labShell()
  const timers: (() => void)[] = []
  const schedule = (_ms: number, fire: () => void): (() => void) => {
    timers.push(fire)
    return () => undefined
  }
  return { s, timers, terminal: (on) => s.liveTerminal(on, { schedule })! }
}
