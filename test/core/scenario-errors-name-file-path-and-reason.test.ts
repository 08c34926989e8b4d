import { describe, expect, test } from 'vitest'
import { parseScenario } from '../../src-main/core/scenario/parse-scenario.ts'

const base = `formatVersion: 1
id: broken
cluster: { podCIDR: 10.244.0.0/16, serviceCIDR: 10.96.0.0/12 }
nodes:
  - { name: node-1, ip: 192.168.56.11 }
  - { name: node-1, ip: 192.168.56.11 }
pods:
  - { name: a, node: node-9, ip: 10.99.0.5, containers: [{ name: c, app: http }] }
services:
  - { name: s, clusterIP: 10.1.0.1, selector: { app: a }, ports: [{ port: 80 }] }
`

describe('parseScenario', () => {
  test('lists every semantic problem as "file: path: reason"', () => {
    const r = parseScenario(base, 'two-node.yaml')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors).toEqual([
      'two-node.yaml: nodes[1].name: duplicate node name "node-1"',
      'two-node.yaml: externalHosts[1].name: duplicate host name "node-1"',
      'two-node.yaml: nodes[1].ip: address 192.168.56.11 is already used by nodes[0].ip',
      'two-node.yaml: pods[0].node: no node named "node-9"',
      'two-node.yaml: pods[0].ip: 10.99.0.5 is not inside cluster.podCIDR 10.244.0.0/16',
      'two-node.yaml: pods[0].containers[0].port: required for app "http"',
      'two-node.yaml: services[0].clusterIP: 10.1.0.1 is not inside cluster.serviceCIDR 10.96.0.0/12'
    ])
  })

  test('reports schema errors with their path', () => {
    const r = parseScenario('formatVersion: 1\nid: Bad_Id\nnodes: []\n', 'x.yaml')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors[0]).toBe('x.yaml: id: expected a lowercase DNS-1123 name such as web-1')
    expect(r.errors).toContain('x.yaml: nodes: Too small: expected array to have >=1 items')
  })

  test('reports YAML syntax errors with a line and column', () => {
    const r = parseScenario('nodes: [\n', 'y.yaml')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors[0]).toMatch(/^y\.yaml: line \d+, column \d+: /)
  })
})
