import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import type { Scenario } from '../../src-main/core/scenario/scenario.schema.ts'
import type { Lab } from '../../src-main/core/kube/lab.ts'
import { formatIpv4 } from '../../src-main/core/net/ipv4.ts'
import { CommandRegistry, type CommandOutput, type Target } from '../../src-main/core/shell/command.ts'
import { ipCommand } from '../../src-main/core/shell/commands/ip.ts'
import { bridgeCommand } from '../../src-main/core/shell/commands/bridge.ts'
import { iptablesCommand, iptablesSaveCommand } from '../../src-main/core/shell/commands/iptables.ts'
import { conntrackCommand } from '../../src-main/core/shell/commands/conntrack.ts'
import { sysctlCommand } from '../../src-main/core/shell/commands/sysctl.ts'
import { nftCommand } from '../../src-main/core/shell/commands/nft.ts'
import { ipvsadmCommand } from '../../src-main/core/shell/commands/ipvsadm.ts'

/** Test helpers for the simulated kernel: fixture scenarios and the state commands run directly. */

export function fixtureScenario(id: string, patch?: (yaml: string) => string): Scenario {
  const file = fileURLToPath(new URL(`../fixtures/scenarios/${id}.yaml`, import.meta.url))
  const text = readFileSync(file, 'utf8')
  const parsed = parseScenario(patch ? patch(text) : text, `${id}.yaml`)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return parsed.scenario
}

export function fixtureLab(id: string, patch?: (yaml: string) => string): Lab {
  return buildLab(fixtureScenario(id, patch))
}

export function realFixture(id: string, file: string): { stdout: string; stderr: string; exitCode: number } {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/real/${id}/${file}`, import.meta.url)), 'utf8')
  return {
    stdout: text.split('--- stdout\n')[1]!.split('--- stderr\n')[0]!,
    stderr: text.split('--- stderr\n')[1]!.split('--- exit ')[0]!,
    exitCode: Number(text.split('--- exit ')[1])
  }
}

export function podIp(lab: Lab, name: string): string {
  return formatIpv4(lab.pods.find((p) => p.name === name)!.ip)
}

const registry = new CommandRegistry([
  ipCommand,
  bridgeCommand,
  iptablesCommand,
  iptablesSaveCommand,
  conntrackCommand,
  sysctlCommand,
  nftCommand,
  ipvsadmCommand
])

/** Runs one of sim core's state commands (argv already split) on a node, pod or host. */
export function run(lab: Lab, on: string, argv: string[]): CommandOutput {
  const pod = lab.pods.find((p) => p.name === on)
  const node = lab.nodes.find((n) => n.name === on)
  const target: Target = pod
    ? {
        kind: 'pod',
        name: on,
        node: pod.node,
        pod: on,
        namespace: pod.namespace,
        netns: pod.netns,
        hostname: on
      }
    : { kind: node ? 'node' : 'external', name: on, ...(node ? { node: on } : {}), netns: on, hostname: on }
  const command = registry.get(argv[0]!)!
  return command.run(argv.slice(1), {
    lab,
    target,
    stdin: '',
    writeFile: () => undefined,
    readFile: () => undefined,
    runOn: () => ({ stdout: '', stderr: '', exitCode: 127 }),
    resolveTarget: () => undefined
  })
}

/** MACs, veth names and link-local IPv6 addresses are random by nature. */
export function maskRandom(text: string): string {
  return text
    .replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, '<mac>')
    .replace(/veth[0-9a-f]{8}/g, '<veth>')
    .replace(/fe80::[0-9a-f:]+/g, '<ll>')
    .replace(/on \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}/g, 'on <date>')
}

/**
 * Twenty TCP connections from `client` to the web Service's ClusterIP: each backend they
 * reached, with how the last one to reach it ended.
 */
export function outcomeByBackend(lab: Lab): Map<string, string> {
  const outcomes = new Map<string, string>()
  for (let i = 0; i < 20; i++) {
    const t = sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    const backend = t.hops.find((h) => h.stage === 'local-deliver' && h.leg === 'request')!.netns
    outcomes.set(backend, t.outcome.kind)
  }
  return outcomes
}
