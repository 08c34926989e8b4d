import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'
import {
  SCENARIO_LIMITS,
  scenarioSchema,
  type ScenarioInput
} from '../../src-main/core/scenario/scenario.schema.ts'

/**
 * A scenario file describes a cluster the host then builds in memory; past SCENARIO_LIMITS the
 * file is refused before the build, with the limit's name, the limit and the file's value.
 */

const root = new URL('../../', import.meta.url)

/** Scenario YAML with `nodes` nodes and `pods`/`services` as given (one line each). */
function yaml(o: {
  nodes: number
  pods?: { node: number; app: string }[]
  services?: { app: string; type?: string; ports?: number }[]
  podCIDR?: string
  cluster?: string
}): string {
  let text = `formatVersion: 1\nid: big\ncluster:\n  podCIDR: ${o.podCIDR ?? '10.0.0.0/8'}\n  underlayCIDR: 172.16.0.0/12\n${o.cluster ?? ''}nodes:\n`
  for (let i = 1; i <= o.nodes; i++) text += `  - { name: n${i}, ip: 172.16.${i >> 8}.${i & 255} }\n`
  if (o.pods?.length) {
    text += 'pods:\n'
    o.pods.forEach((p, i) => {
      text += `  - { name: p${i}, node: n${p.node}, labels: { app: ${p.app} }, containers: [{ name: c, app: http, port: 80 }] }\n`
    })
  }
  if (o.services?.length) {
    text += 'services:\n'
    o.services.forEach((s, i) => {
      const ports = Array.from({ length: s.ports ?? 1 }, (_, j) => `{ name: p${j}, port: ${80 + j} }`)
      text += `  - { name: s${i}, type: ${s.type ?? 'ClusterIP'}, selector: { app: ${s.app} }, ports: [${ports.join(', ')}] }\n`
    })
  }
  return text
}

function errorsOf(text: string): string[] {
  const r = parseScenario(text, 'big.yaml')
  return r.ok ? [] : r.errors
}

describe('the limits every shipped scenario stays within', () => {
  const files = [
    ...readdirSync(new URL('lessons/', root), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `lessons/${d.name}/scenario.yaml`),
    ...readdirSync(new URL('test/fixtures/scenarios/', root)).map((f) => `test/fixtures/scenarios/${f}`)
  ]
  it.each(files)('%s parses', (file) => {
    expect(parseScenario(readFileSync(new URL(file, root), 'utf8'), file)).toMatchObject({ ok: true })
  })

  it("allows the bench's generated 100 nodes × 30 pods × 500 Services", () => {
    const input: ScenarioInput = {
      formatVersion: 1,
      id: 'bench-100-30-500',
      cluster: { underlayCIDR: '172.20.0.0/16', podCIDR: '10.244.0.0/16' },
      nodes: Array.from({ length: 100 }, (_, i) => ({ name: `node-${i + 1}`, ip: `172.20.1.${i + 1}` })),
      pods: Array.from({ length: 3000 }, (_, i) => ({
        name: `pod-${i + 1}`,
        node: `node-${(i % 100) + 1}`,
        labels: { app: `app-${i % 500}` },
        containers: [{ name: 'app', app: 'http' as const, port: 8080 }]
      })),
      services: Array.from({ length: 500 }, (_, i) => ({
        name: `svc-${i + 1}`,
        selector: { app: `app-${i}` },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }]
      }))
    }
    expect(scenarioSchema.safeParse(input).success).toBe(true)
  })

  it('exports the limits as one object the guide quotes', () => {
    expect(SCENARIO_LIMITS).toMatchObject({ nodes: 256, podsPerNode: 110, bytes: 1024 * 1024 })
    const guide = readFileSync(new URL('docs/scenario-format.md', root), 'utf8').split('## Limits')[1] ?? ''
    const { bytes, ...counts } = SCENARIO_LIMITS
    expect(guide).toContain(`| ${bytes / 1024 / 1024} MiB `)
    for (const [name, value] of Object.entries(counts))
      expect(guide, name).toMatch(new RegExp(`\\| ${value} +\\|`))
  })
})

describe('a file past a limit is refused by name, limit and value', () => {
  it('4000 nodes (a 139 KB file that used to take the host down)', () => {
    const text = yaml({ nodes: 4000 })
    expect(text.length).toBeLessThan(SCENARIO_LIMITS.bytes)
    expect(errorsOf(text)).toEqual([
      "big.yaml: nodes: at most 256 nodes (flannel's default /16 with a /24 per node), this file has 4000"
    ])
  })

  it('more pods on a node than the kubelet runs', () => {
    const pods = Array.from({ length: 120 }, () => ({ node: 1, app: 'web' }))
    expect(errorsOf(yaml({ nodes: 2, pods }))).toEqual([
      "big.yaml: pods[110].node: at most 110 pods on one node (the kubelet's default maxPods), this file puts 120 on n1"
    ])
  })

  it('more pods in the cluster than the lab keeps', () => {
    const pods = Array.from({ length: 5001 }, (_, i) => ({ node: (i % 50) + 1, app: 'web' }))
    expect(errorsOf(yaml({ nodes: 50, pods }))).toEqual([
      'big.yaml: pods: at most 5000 pods, this file has 5001'
    ])
  })

  it('more Services, or Service ports, than the lab keeps', () => {
    const services = Array.from({ length: 5001 }, () => ({ app: 'none' }))
    expect(errorsOf(yaml({ nodes: 1, services }))).toEqual([
      'big.yaml: services: at most 5000 Services, this file has 5001'
    ])
    const wide = Array.from({ length: 60 }, () => ({ app: 'none', ports: 100 }))
    expect(errorsOf(yaml({ nodes: 1, services: wide }))).toEqual([
      'big.yaml: services: at most 5000 Service ports in all, this file has 6000'
    ])
  })

  it('more endpoints than the lab keeps: Services whose selectors pick the same pods', () => {
    const pods = Array.from({ length: 200 }, (_, i) => ({ node: (i % 2) + 1, app: 'web' }))
    const services = Array.from({ length: 60 }, () => ({ app: 'web' }))
    expect(errorsOf(yaml({ nodes: 2, pods, services }))).toEqual([
      'big.yaml: services: at most 10000 endpoints (one per Service port and pod its selector picks), this file has 12000'
    ])
  })

  it('more than kube-proxy should program across the nodes', () => {
    const services = Array.from({ length: 2000 }, () => ({ app: 'none' }))
    expect(errorsOf(yaml({ nodes: 256, services }))).toEqual([
      'big.yaml: services: at most 400000 kube-proxy entries (every node programs every Service port and endpoint), this file has 256 nodes × (2000 Service ports + 0 endpoints) = 512000'
    ])
  })

  it('more NodePorts than the range holds (the allocator would search it for ever)', () => {
    const services = Array.from({ length: 2769 }, () => ({ app: 'none', type: 'NodePort' }))
    expect(errorsOf(yaml({ nodes: 1, services }))).toEqual([
      'big.yaml: services: at most 2768 NodePort ports (the range 30000-32767), this file has 2769'
    ])
  })

  it('more text than the lab reads, measured before the YAML parser runs', () => {
    // Not even YAML: the size is what refuses it.
    const text = `id: [${'x'.repeat(SCENARIO_LIMITS.bytes)}`
    expect(errorsOf(text)).toEqual([
      `big.yaml: (root): at most 1048576 bytes of scenario text (1 MiB), this file has ${text.length}`
    ])
    const wide = `# ${'é'.repeat(SCENARIO_LIMITS.bytes / 2)}\n`
    expect(errorsOf(wide)[0]).toMatch(/this file has 1048579$/)
  })

  it('an alias bomb is refused by the YAML parser, not thrown', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n'
    for (let i = 1; i < 9; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`
    expect(errorsOf(text)).toEqual([
      'big.yaml: (root): Excessive alias count indicates a resource exhaustion attack'
    ])
  })

  it('more nodes than the pod network has subnets, or pods than a node subnet has addresses', () => {
    expect(errorsOf(yaml({ nodes: 3, podCIDR: '10.244.0.0/23' }))).toEqual([
      'big.yaml: cluster.podCIDR: 10.244.0.0/23 holds 2 node podCIDRs of /24, this file has 3 nodes'
    ])
    const pods = Array.from({ length: 14 }, () => ({ node: 1, app: 'web' }))
    expect(errorsOf(yaml({ nodes: 1, pods, cluster: '  podSubnetLength: 28\n' }))).toEqual([
      'big.yaml: pods[13].node: a /28 podCIDR has room for 13 pods, this file puts 14 on n1'
    ])
  })
})
