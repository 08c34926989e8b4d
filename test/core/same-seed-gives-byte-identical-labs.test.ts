import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { fixtureLab, run } from './sim-lab.ts'

function session(seedPatch?: (y: string) => string): string {
  const lab = fixtureLab('two-node-vxlan', seedPatch)
  const traces = [
    sendProbe(lab, { proto: 'icmp', from: 'client', to: '10.244.2.2' }),
    ...Array.from({ length: 5 }, () =>
      sendProbe(lab, { proto: 'tcp', from: 'client', to: '10.96.0.100', port: 80 })
    )
  ]
  const outputs = [
    run(lab, 'node-1', ['ip', 'addr']).stdout,
    run(lab, 'node-1', ['bridge', 'fdb', 'show']).stdout,
    run(lab, 'node-1', ['iptables-save', '-c']).stdout,
    run(lab, 'node-1', ['conntrack', '-L']).stdout
  ]
  return JSON.stringify(traces) + outputs.join('')
}

describe('determinism', () => {
  test('the same scenario and seed give the same traces and outputs, byte for byte', () => {
    expect(session()).toBe(session())
  })

  test('another seed gives other MACs and veth names', () => {
    expect(session((y) => y.replace('seed: 7', 'seed: 8'))).not.toBe(session())
  })

  test('a trace survives a JSON round trip unchanged', () => {
    const lab = fixtureLab('two-node-vxlan')
    const trace = sendProbe(lab, { proto: 'tcp', from: 'laptop', to: '192.168.56.11', port: 30080 })
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace)
    expect(trace.rulesEvaluated).toBeGreaterThan(0)
  })
})
