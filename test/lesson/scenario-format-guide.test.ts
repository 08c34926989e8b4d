import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { scenarioSchema } from '../../src-main/core/scenario/scenario.schema.ts'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import { LabShell } from '../../src-main/core/shell/lab-shell.ts'

const GUIDE = readFileSync(new URL('../../docs/scenario-format.md', import.meta.url), 'utf8')

/** The guide's example and the outputs it prints, each as `$ command  # on|in target` blocks. */
function exampleOf(guide: string): {
  yaml: string
  outputs: { target: string; command: string; lines: string[] }[]
} {
  const section = guide.split('## A small example')[1]?.split('\n## ')[0] ?? ''
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const outputs = [...section.matchAll(/```\n\$ (.+?) +# (?:on|in) (\S+)\n([\s\S]*?)```/g)].map((m) => ({
    command: m[1]!,
    target: m[2]!,
    lines: m[3]!.trimEnd().split('\n')
  }))
  return { yaml, outputs }
}

it("the scenario guide's example parses, builds, applies its setup and prints what the guide shows", () => {
  const { yaml, outputs } = exampleOf(GUIDE)
  const parsed = parseScenario(yaml, 'example.yaml')
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  const shell = new LabShell(buildLab(parsed.scenario))
  expect(shell.applySetup()).toEqual([])
  expect(outputs.map((o) => `${o.target}: ${o.command}`)).toEqual([
    'node-1: ip route',
    'client: ip route',
    'node-1: kubectl get svc'
  ])
  for (const o of outputs) {
    const result = shell.run(o.target, o.command)
    expect(result?.exitCode).toBe(0)
    // iproute2 ends route lines with a space; the guide's code blocks do not keep trailing blanks.
    expect(
      result?.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.trimEnd()),
      `${o.target}: ${o.command}`
    ).toEqual(o.lines)
  }
  expect(shell.run('node-1', 'sysctl -n net.bridge.bridge-nf-call-iptables')?.stdout).toBe('0\n')
})

it("the guide documents every field of the scenario schema, with the schema's defaults", () => {
  /** Table rows by their first cell's field name, as trimmed cells (column padding varies). */
  const rows = (text: string): Map<string, string[]> =>
    new Map(
      text
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .map((l) => [/^\| `([^`]+)`/.exec(l)![1]!, l.split('|').map((cell) => cell.trim())])
    )
  const documented = rows(GUIDE)
  const clusterRows = rows(GUIDE.split('## `cluster`')[1]?.split('\n## ')[0] ?? '')
  const defaults = scenarioSchema.parse({
    formatVersion: 1,
    id: 'x',
    nodes: [{ name: 'n', ip: '192.168.56.11' }]
  }).cluster
  const flat: [string, unknown][] = Object.entries(defaults).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null
      ? Object.entries(v).map(([k2, v2]): [string, unknown] => [`${k}.${k2}`, v2])
      : [[k, v]]
  )
  for (const [field, value] of flat) {
    const row = clusterRows.get(field)
    expect(row, `cluster field ${field} is documented`).toBeDefined()
    expect(row, `default of ${field}`).toContain(`\`${String(value)}\``)
  }
  for (const field of [
    'formatVersion',
    'id',
    'title',
    'cluster',
    'nodes',
    'pods',
    'services',
    'externalHosts',
    'setup'
  ])
    expect(documented.has(field), field).toBe(true)
  for (const field of [
    'name',
    'ip',
    'podCIDR',
    'namespace',
    'node',
    'labels',
    'shareProcessNamespace',
    'hostNetwork',
    'containers',
    'image',
    'app',
    'port',
    'type',
    'clusterIP',
    'selector',
    'ports',
    'externalTrafficPolicy'
  ])
    expect(documented.has(field), field).toBe(true)
  for (const field of ['targetPort', 'protocol', 'nodePort', 'externalHosts[]', 'setup[]'])
    expect(GUIDE, field).toContain(`\`${field}\``)
})
