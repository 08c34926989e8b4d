import type { LessonEvent } from '../../src-main/core/lesson/lesson.machine.ts'
import { CROSS_NODE_PING, staticFacts, TOUR_START, traceFacts } from './static-lab.ts'

const up = staticFacts(TOUR_START)
const down = staticFacts({ ...TOUR_START, links: { ...TOUR_START.links, 'node-1/cni0': 'down' } })
const next: LessonEvent = { type: 'user.next' }

/**
 * A learner's way through the tour, mistakes and hints included, with the lab's answers as
 * plain facts. Persistence tests stop and restore the actor after every one of these events.
 */
export const TOUR_SCRIPT: LessonEvent[] = [
  next,
  { type: 'user.runCommand', on: 'client', command: 'ip addr' },
  {
    type: 'sim.commandRan',
    command: { on: 'node-1', command: 'ip addr', output: 'inet 192.168.56.11/24', exitCode: 0 },
    facts: up
  },
  { type: 'user.requestHint', level: 'hint' },
  {
    type: 'sim.commandRan',
    command: {
      on: 'client',
      command: 'ip addr',
      output:
        '2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450\n    inet 10.244.1.2/24 brd 10.244.1.255 scope global eth0\n',
      exitCode: 0
    },
    facts: up
  },
  next,
  { type: 'user.predict', value: 63 },
  { type: 'sim.traceFinished', trace: CROSS_NODE_PING, facts: up },
  next,
  { type: 'sim.traceFinished', trace: CROSS_NODE_PING, facts: up },
  { type: 'user.answer', questionId: 'outer-source', answer: { kind: 'text', text: '10.244.1.2' } },
  { type: 'user.answer', questionId: 'outer-source', answer: { kind: 'text', text: '192.168.56.11' } },
  next,
  { type: 'user.predict', value: 'web-2' },
  {
    type: 'sim.traceFinished',
    trace: traceFacts(
      { from: 'client', to: '10.96.0.120', protocol: 'tcp', port: 80 },
      {
        verdict: 'delivered',
        hops: [],
        arrivingTtl: 62,
        kubeSep: { chain: 'KUBE-SEP-ZXQ4W5KTJBF4QE3P', pod: 'web-2' }
      }
    ),
    facts: up
  },
  next,
  {
    type: 'sim.commandRan',
    command: { on: 'node-1', command: 'ip link set cni0 down', output: '', exitCode: 0 },
    facts: down
  },
  { type: 'user.requestHint', level: 'hint' },
  { type: 'user.requestHint', level: 'hint' },
  {
    type: 'sim.traceFinished',
    trace: traceFacts(
      { from: 'client', to: '10.244.1.3' },
      { verdict: 'dropped', dropStage: 'link-down', hops: [{ device: 'client/eth0', stage: 'link-xmit' }] }
    ),
    facts: down
  },
  next,
  { type: 'user.requestHint', level: 'solution' },
  {
    type: 'sim.commandRan',
    command: { on: 'node-1', command: 'ip link set cni0 up', output: '', exitCode: 0 },
    facts: up
  },
  {
    type: 'sim.commandRan',
    command: {
      on: 'client',
      command: 'ping -c 1 10.244.1.3',
      output: '1 packets transmitted, 1 packets received, 0% packet loss\n',
      exitCode: 0
    },
    facts: up
  },
  next,
  { type: 'user.answer', questionId: 'pod-gateway', answer: { kind: 'single', option: 'flannel' } },
  { type: 'user.answer', questionId: 'pod-gateway', answer: { kind: 'single', option: 'cni0' } },
  {
    type: 'user.answer',
    questionId: 'flannel-programs',
    answer: { kind: 'multiple', options: ['route', 'neigh', 'fdb'] }
  },
  {
    type: 'user.answer',
    questionId: 'hop-order',
    answer: {
      kind: 'ordering',
      order: [
        'client-eth0',
        'node-1-cni0',
        'node-1-flannel',
        'node-1-eth0',
        'node-2-eth0',
        'node-2-flannel',
        'node-2-cni0'
      ]
    }
  },
  { type: 'user.answer', questionId: 'same-node-ttl', answer: { kind: 'numeric', value: 63 } },
  { type: 'user.answer', questionId: 'same-node-ttl', answer: { kind: 'numeric', value: 64 } },
  { type: 'user.answer', questionId: 'vxlan-port', answer: { kind: 'text', text: '8472' } },
  { type: 'user.answer', questionId: 'gateway-device', answer: { kind: 'hotspot', object: 'node-2/cni0' } },
  next,
  next
]
