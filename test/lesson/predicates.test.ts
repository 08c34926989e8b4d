import { describe, expect, it } from 'vitest'
import { type Predicate, predicateSchema } from '../../src-main/core/lesson/lesson.schema.ts'
import {
  evaluateGoal,
  leavesSatisfiedByCommand,
  leavesSatisfiedByTrace
} from '../../src-main/core/lesson/predicates.ts'
import { realityOf } from '../../src-main/core/lesson/prediction.ts'
import { predictionSchema } from '../../src-main/core/lesson/lesson.schema.ts'
import { CROSS_NODE_PING, staticFacts, traceFacts } from './static-lab.ts'

const t = (en: string): { en: string; 'zh-CN': string } => ({ en, 'zh-CN': `（${en}）` })
const goal = (p: unknown): Predicate => predicateSchema.parse(p)

const lab = staticFacts({
  links: { 'node-1/cni0': 'up', 'node-1/flannel.1': 'up' },
  pods: ['client', 'web-1'],
  fdb: { 'node-1/flannel.1': [{ mac: '8e:2a:1b:3c:4d:02', dst: '192.168.56.12' }] },
  devices: {
    'node-1/veth-a': { type: 'veth', master: 'cni0', addresses: [], mtu: 1450 },
    'node-1/cni0': { type: 'bridge', addresses: ['10.244.1.1/24'], mtu: 1450 },
    'node-1:pod-a/eth0': { type: 'veth', addresses: ['10.244.1.2/24'], mtu: 1450 }
  },
  neighbours: {
    'node-1/flannel.1': [{ address: '10.244.2.0', lladdr: '8e:2a:1b:3c:4d:02', state: 'PERMANENT' }],
    'node-1/eth0': [{ address: '192.168.56.12', lladdr: '52:54:00:00:00:12', state: 'REACHABLE' }]
  },
  routes: {
    'node-1': [
      { destination: 'default', via: '192.168.56.1' },
      { destination: '10.244.1.0/24' },
      { destination: '10.244.2.0/24', via: '10.244.2.0' }
    ],
    'node-1:pod-a': [{ destination: 'default', via: '10.244.1.1' }]
  },
  sysctl: { 'node-1': { 'net.bridge.bridge-nf-call-iptables': '0' } },
  endpoints: {
    web: [
      { ip: '10.244.1.3', port: 80 },
      { ip: '10.244.2.2', port: 8080 }
    ],
    empty: []
  }
})

describe('state leaves', () => {
  it.each([
    [{ kind: 'link-state', link: 'node-1/cni0', state: 'up' }, true],
    [{ kind: 'link-state', link: 'node-1/cni0', state: 'down' }, false],
    [{ kind: 'link-state', link: 'node-1/nope', state: 'down' }, false],
    [{ kind: 'pod-exists', pod: 'web-1', exists: true }, true],
    [{ kind: 'pod-exists', pod: 'web-2', exists: false }, true],
    [{ kind: 'fdb-entry', device: 'node-1/flannel.1', mac: '8e:2a:1b:3c:4d:02' }, true],
    [
      { kind: 'fdb-entry', device: 'node-1/flannel.1', mac: '8e:2a:1b:3c:4d:02', dst: '192.168.56.13' },
      false
    ],
    [{ kind: 'fdb-entry', device: 'node-1/flannel.1', mac: '8e:2a:1b:3c:4d:02', present: false }, false],
    [{ kind: 'fdb-entry', device: 'node-2/flannel.1', present: false }, true],
    [{ kind: 'route', on: 'node-1', destination: '10.244.2.0/24' }, true],
    [{ kind: 'route', on: 'node-1', destination: '10.244.3.0/24' }, false],
    [{ kind: 'route', on: 'node-1', destination: 'default', present: false }, false],
    [{ kind: 'route', on: 'node-1', destination: '10.244.2.0/24', via: '10.244.2.0' }, true],
    [{ kind: 'route', on: 'node-1', destination: '10.244.2.0/24', via: '192.168.56.12' }, false],
    [{ kind: 'route', on: 'node-1', destination: '10.244.1.0/24', via: '10.244.1.1' }, false],
    [{ kind: 'route', on: 'node-1:pod-a', destination: 'default', via: '10.244.1.1' }, true],
    [{ kind: 'route', on: 'node-2:pod-a', destination: 'default' }, false],
    [{ kind: 'link', link: 'node-1:pod-a/eth0' }, true],
    [{ kind: 'link', link: 'node-1:pod-a/eth0', type: 'veth', address: '10.244.1.2/24' }, true],
    [{ kind: 'link', link: 'node-1:pod-a/eth0', address: '10.244.1.2/32' }, false],
    [{ kind: 'link', link: 'node-1:pod-a/eth0', type: 'bridge' }, false],
    [{ kind: 'link', link: 'node-1/veth-a', master: 'cni0' }, true],
    [{ kind: 'link', link: 'node-1/veth-b', master: 'cni0' }, false],
    [{ kind: 'link', link: 'node-1/cni0', master: 'cni0' }, false],
    [{ kind: 'link', link: 'node-1/veth-b', present: false }, true],
    [{ kind: 'link', link: 'node-1/cni0', address: '10.244.1.1/24', present: false }, false],
    [{ kind: 'link', link: 'node-1/cni0', mtu: 1450 }, true],
    [{ kind: 'link', link: 'node-1/cni0', mtu: 1350 }, false],
    [{ kind: 'neighbour', device: 'node-1/flannel.1', address: '10.244.2.0', permanent: true }, true],
    [
      { kind: 'neighbour', device: 'node-1/flannel.1', address: '10.244.2.0', lladdr: '8e:2a:1b:3c:4d:03' },
      false
    ],
    [{ kind: 'neighbour', device: 'node-1/eth0', address: '10.244.2.0' }, false],
    [{ kind: 'neighbour', device: 'node-1/eth0', address: '192.168.56.12', permanent: true }, false],
    [{ kind: 'neighbour', device: 'node-1/eth0', address: '192.168.56.12', permanent: false }, true],
    [{ kind: 'neighbour', device: 'node-1/flannel.1', address: '10.244.3.0', present: false }, true],
    [{ kind: 'sysctl', on: 'node-1', key: 'net.bridge.bridge-nf-call-iptables', value: '0' }, true],
    [{ kind: 'sysctl', on: 'node-1', key: 'net.bridge.bridge-nf-call-iptables', value: '1' }, false],
    [{ kind: 'sysctl', on: 'node-9', key: 'net.bridge.bridge-nf-call-iptables', value: '0' }, false],
    [{ kind: 'endpoints', service: 'web' }, true],
    [{ kind: 'endpoints', service: 'web', min: 2 }, true],
    [{ kind: 'endpoints', service: 'web', min: 3 }, false],
    [{ kind: 'endpoints', service: 'web', port: 8080 }, true],
    [{ kind: 'endpoints', service: 'web', port: 8080, min: 2 }, false],
    [{ kind: 'endpoints', service: 'empty' }, false],
    [{ kind: 'not', predicate: { kind: 'endpoints', service: 'empty' } }, true],
    [{ kind: 'endpoints', service: 'missing' }, false]
  ])('%j → %s', (predicate, pass) => {
    expect(evaluateGoal(goal(predicate), lab, []).pass).toBe(pass)
  })
})

describe('combinators and failing parts', () => {
  const g = goal({
    kind: 'all',
    of: [
      { kind: 'link-state', link: 'node-1/cni0', state: 'down', hint: t('take cni0 down') },
      {
        kind: 'any',
        hint: t('show it is broken'),
        of: [
          { kind: 'command-ran', on: 'client', command: '^ping', output: '100% packet loss' },
          { kind: 'trace', from: 'client', to: '10.244.1.3', verdict: 'dropped', stage: 'neigh-failed' }
        ]
      },
      {
        kind: 'not',
        predicate: { kind: 'pod-exists', pod: 'web-1', exists: false },
        hint: t('do not delete web-1')
      }
    ]
  })

  it('names every failing leaf and picks the first failing part with a hint', () => {
    expect(evaluateGoal(g, lab, [])).toEqual({
      pass: false,
      failing: ['goal.of[0]', 'goal.of[1].of[0]', 'goal.of[1].of[1]'],
      hint: t('take cni0 down')
    })
  })

  it('an any group fails with its own hint', () => {
    const down = staticFacts({ links: { 'node-1/cni0': 'down' }, pods: ['client', 'web-1'] })
    expect(evaluateGoal(g, down, []).hint).toEqual(t('show it is broken'))
  })

  it('a not fails when its inner goal holds, reporting the not itself', () => {
    const deleted = staticFacts({ links: { 'node-1/cni0': 'down' }, pods: ['client'] })
    expect(evaluateGoal(g, deleted, ['goal.of[1].of[0]'])).toEqual({
      pass: false,
      failing: ['goal.of[2]'],
      hint: t('do not delete web-1')
    })
  })

  it('event leaves are matched by the command or trace that satisfies them', () => {
    const ping = {
      on: 'client/shell',
      command: 'ping -c 1 10.244.1.3',
      output: '1 packets transmitted, 0 received, 100% packet loss',
      exitCode: 1
    }
    expect(leavesSatisfiedByCommand(g, ping)).toEqual(['goal.of[1].of[0]'])
    expect(leavesSatisfiedByCommand(g, { ...ping, on: 'web-1' })).toEqual([])
    expect(leavesSatisfiedByCommand(g, { ...ping, output: '0% packet loss' })).toEqual([])
    const dropped = traceFacts(
      { from: 'client', to: '10.244.1.3' },
      { verdict: 'dropped', dropStage: 'neigh-failed', hops: [] }
    )
    expect(leavesSatisfiedByTrace(g, dropped)).toEqual(['goal.of[1].of[1]'])
    expect(leavesSatisfiedByTrace(g, { ...dropped, dropStage: 'link-down' })).toEqual([])
    const down = staticFacts({ links: { 'node-1/cni0': 'down' }, pods: ['client', 'web-1'] })
    expect(evaluateGoal(g, down, leavesSatisfiedByTrace(g, dropped))).toEqual({ pass: true, failing: [] })
  })
})

describe('realityOf', () => {
  const p = (x: unknown) => predictionSchema.parse(x)
  it('reads each kind of prediction off a trace', () => {
    expect(realityOf(p({ what: 'verdict', answer: 'delivered' }), CROSS_NODE_PING)).toBe('delivered')
    expect(realityOf(p({ what: 'arriving-ttl', answer: 62 }), CROSS_NODE_PING)).toBe(62)
    expect(
      realityOf(
        p({ what: 'drop-stage', options: ['delivered', 'link-down'], answer: 'delivered' }),
        CROSS_NODE_PING
      )
    ).toBe('delivered')
    const next = p({
      what: 'next-device',
      after: 'node-1/cni0',
      options: ['node-1/flannel.1', 'node-1/eth0'],
      answer: 'node-1/flannel.1'
    })
    expect(realityOf(next, CROSS_NODE_PING)).toBe('node-1/flannel.1')
    expect(realityOf({ ...next, after: 'node-9/cni0' } as typeof next, CROSS_NODE_PING)).toBe('none')
    const dropped = traceFacts(
      { from: 'client', to: '10.244.1.3' },
      { verdict: 'dropped', dropStage: 'link-down', hops: [] }
    )
    expect(
      realityOf(p({ what: 'drop-stage', options: ['delivered', 'link-down'], answer: 'link-down' }), dropped)
    ).toBe('link-down')
    expect(realityOf(p({ what: 'arriving-ttl', answer: 1 }), dropped)).toBe('none')
    const svc = traceFacts(
      { from: 'client', to: '10.96.0.120', protocol: 'tcp', port: 80 },
      { verdict: 'delivered', hops: [], kubeSep: { chain: 'KUBE-SEP-X', pod: 'web-2' } }
    )
    expect(realityOf(p({ what: 'kube-sep', options: ['web-1', 'web-2'], answer: 'web-2' }), svc)).toBe(
      'web-2'
    )
  })
})
