import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { labPlanFromLab } from '../../src-main/core/scenario/plan-from-lab.ts'
import type { LabShell } from '../../src-main/core/shell/lab-shell.ts'
import { labShellFromYaml, run as simRun } from '../core/shell-fixture.ts'
import { contextFor, normaliseOutput } from './normalise.ts'
import { RealLab, realLabUnavailable } from './real-lab.ts'
import type { Step } from './steps.ts'

/**
 * kube-router's network policies on real namespaces: the lab is built from the simulator's,
 * with the filter rules and ipsets its sync wrote loaded through the real iptables-restore and
 * ipset restore in kube-router's own form. A second web pod on node-1 makes one refusal happen
 * on the bridge (same node, br_netfilter's FORWARD) and the other after routing (cross node).
 * The plain pod admits strangers on a port range (`endPort`), which kube-router writes as one
 * `--dport` range.
 */
const yaml =
  readFileSync('test/fixtures/scenarios/two-node-kube-router-netpol.yaml', 'utf8').replace(
    'services:\n',
    [
      '  - name: web-2',
      '    node: node-1',
      '    labels: { app: web }',
      '    containers: [{ name: app, image: podnet/http, app: http, port: 8080, portName: http }]',
      'services:',
      ''
    ].join('\n')
  ) +
  [
    '  - name: plain-from-strangers',
    '    podSelector: { matchLabels: { app: plain } }',
    '    ingress:',
    '      - from:',
    '          - podSelector: { matchLabels: { role: stranger } }',
    '        ports: [{ protocol: TCP, port: 8000, endPort: 8100 }]',
    ''
  ].join('\n')

const cmd = (on: string, run: string): Step => ({ kind: 'cmd', on, run, slug: run.replace(/\W+/g, '-') })
const capture = (on: string, run: string, traffic: string): Step => ({
  kind: 'capture',
  on,
  run,
  slug: `${on}-${run}`.replace(/\W+/g, '-'),
  traffic: { on, run: traffic }
})

// The saves come first: afterwards the kernel's policy counters differ (KNOWN-DIFFERENCES.md).
const steps: Step[] = [
  cmd('node-1', 'iptables-save -t filter'),
  cmd('node-2', 'iptables-save -t filter'),
  cmd('node-1', 'ipset save'),
  cmd('client', 'curl -sS -m 3 http://10.244.2.2:8080/'),
  cmd('stranger', 'curl -sS -m 3 http://10.244.2.2:8080/'),
  cmd('client', 'curl -sS -m 3 http://10.244.1.5:8080/'),
  cmd('stranger', 'curl -sS -m 3 http://10.244.1.5:8080/'),
  cmd('stranger', 'ping -c 1 -W 1 10.244.1.5'),
  // Who sends the same-node refusal, and from which address.
  capture('stranger', 'tcpdump -nn -i eth0 -c 2 tcp or icmp', 'curl -sS -m 3 http://10.244.1.5:8080/'),
  cmd('stranger', 'traceroute -n -q 1 -w 1 -T -p 8080 10.244.1.5'),
  cmd('stranger', 'curl -sS -m 3 http://10.244.2.3:8080/'),
  cmd('client', 'curl -sS -m 3 http://10.244.2.3:8080/'),
  cmd('locked', 'curl -sS -m 3 http://10.244.2.3:8080/'),
  cmd('locked', 'ping -c 1 -W 1 10.244.1.2')
]

/**
 * The kernel picks each set's hash seed and dumps members in hash order: the seed is masked and
 * the lines sorted, so names, types, options and members are what must match.
 */
function normaliseIpsetSave(text: string): string {
  return normaliseLines(text.replace(/ initval 0x[0-9a-f]{8}/g, ' initval <seed>'))
}

function normaliseLines(text: string): string {
  const [body = '', rest = ''] = text.split(/(?=--- stderr\n)/)
  return `${body.split('\n').filter(Boolean).sort().join('\n')}\n${rest}`
}

const unavailable =
  realLabUnavailable() ??
  (spawnSync('sh', ['-c', 'command -v ipset'], { stdio: 'ignore' }).status === 0
    ? undefined
    : 'missing tools: ipset (CI installs it in .ci/run)')
if (unavailable && process.env.CI)
  throw new Error(`network policy conformance: CI is set but real namespaces cannot be built: ${unavailable}`)

describe.skipIf(unavailable !== undefined)(
  "kube-router's network policies: the simulator refuses and prints what real Linux does",
  () => {
    const results = new Map<Step, { sim: string; real: string }>()
    let real: RealLab | undefined
    const sim: LabShell = labShellFromYaml(yaml)
    const ctx = contextFor(sim.lab.scenario)
    const underlay = (on: string): boolean => on.startsWith('node-')

    beforeAll(async () => {
      real = new RealLab(labPlanFromLab(sim.lab), 'pnl-np')
      await real.up()
      for (const step of steps) {
        const r = await real.runStep(step)
        // The simulator's tcpdump shows what crossed during the latest traffic: that goes first.
        if (step.kind === 'capture') simRun(sim, step.traffic.on, step.traffic.run)
        const s = simRun(sim, step.on, step.run)
        const norm = (out: typeof s): string => {
          const text = normaliseOutput(step, out, ctx, underlay(step.on))
          return step.run === 'ipset save' ? normaliseIpsetSave(text) : text
        }
        results.set(step, { sim: norm(s), real: norm(r.output) })
      }
    }, 180_000)

    afterAll(async () => {
      await real?.down()
    }, 60_000)

    steps.forEach((step, i) => {
      test(`${String(i + 1).padStart(2, '0')} ${step.on}: ${step.run}`, () => {
        const c = results.get(step)
        expect(c, 'the step did not run (see the beforeAll error)').toBeDefined()
        expect(c!.sim, `${step.on}: ${step.run}\n(expected = real kernel, received = simulator)`).toBe(
          c!.real
        )
      })
    })
  }
)
