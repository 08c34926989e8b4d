import { describe, expect, test } from 'vitest'
import { fixtureLab, maskRandom, realFixture, run } from './sim-lab.ts'

/** Each case: the fixture captured from real namespaces built from the same scenario. */
const cases: [string, string, string[], string][] = [
  ['two-node-vxlan', 'client', ['ip', 'addr'], '01-pod-ip-addr.txt'],
  ['two-node-vxlan', 'client', ['ip', 'link'], '02-pod-ip-link.txt'],
  ['two-node-vxlan', 'client', ['ip', '-d', 'link', 'show', 'eth0'], '03-pod-ip-d-link-eth0.txt'],
  ['two-node-vxlan', 'client', ['ip', 'route'], '04-pod-ip-route.txt'],
  ['two-node-vxlan', 'client', ['ip', '-4', 'addr', 'show', 'dev', 'eth0'], '05-pod-ip-4-addr-eth0.txt'],
  ['two-node-vxlan', 'client', ['ip', 'route', 'get', '10.244.2.2'], '06-pod-route-get-remote-pod.txt'],
  ['two-node-vxlan', 'node-1', ['ip', 'route'], '10-node-ip-route.txt'],
  ['two-node-vxlan', 'node-1', ['ip', '-d', 'link', 'show', 'flannel.1'], '12-node-ip-d-link-vtep.txt'],
  ['two-node-vxlan', 'node-1', ['ip', 'neigh', 'show', 'dev', 'flannel.1'], '13-node-ip-neigh-vtep.txt'],
  ['two-node-vxlan', 'node-1', ['bridge', 'fdb', 'show', 'dev', 'flannel.1'], '14-node-bridge-fdb-vtep.txt'],
  ['two-node-vxlan', 'node-1', ['bridge', '-d', 'link', 'show'], '17-node-bridge-d-link.txt'],
  ['two-node-vxlan', 'node-1', ['ip', 'route', 'get', '10.244.2.2'], '18-node-route-get-remote-pod.txt'],
  [
    'two-node-vxlan',
    'node-1',
    ['sysctl', 'net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables'],
    '20-node-sysctl.txt'
  ],
  ['two-node-host-gw', 'node-1', ['ip', 'route'], '10-node-ip-route.txt'],
  ['three-node-k3s', 'server', ['ip', 'route'], '10-node-ip-route.txt'],
  ['three-node-k3s', 'server', ['bridge', 'fdb', 'show', 'dev', 'flannel.1'], '14-node-bridge-fdb-vtep.txt']
]

describe('state commands against real captures (MACs, veth names, link-local IPv6 masked)', () => {
  test.each(cases)('%s on %s: %j', (scenario, on, argv, file) => {
    const lab = fixtureLab(scenario)
    const sim = run(lab, on, argv)
    const real = realFixture(scenario, file)
    expect(maskRandom(sim.stdout)).toBe(maskRandom(real.stdout))
    expect(sim.exitCode).toBe(real.exitCode)
  })
})

describe('iptables -L and error texts as iptables 1.8.9 prints them', () => {
  test('-L -n -v --line-numbers lays out counters, numeric protocols and match summaries', () => {
    const lab = fixtureLab('two-node-vxlan')
    const out = run(lab, 'node-1', [
      'iptables',
      '-t',
      'filter',
      '-L',
      'KUBE-SERVICES',
      '-n',
      '-v',
      '--line-numbers'
    ]).stdout
    expect(out).toBe(
      'Chain KUBE-SERVICES (2 references)\n' +
        'num   pkts bytes target     prot opt in     out     source               destination         \n' +
        '1        0     0 REJECT     6    --  *      *       0.0.0.0/0            10.96.0.200          /* default/empty-svc:http has no endpoints */ tcp dpt:80 reject-with icmp-port-unreachable\n'
    )
  })

  test('unknown table and chain errors', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(run(lab, 'node-1', ['iptables', '-t', 'foo', '-L'])).toEqual({
      stdout: '',
      stderr:
        "iptables v1.8.9 (nf_tables): table 'foo' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n",
      exitCode: 3
    })
    expect(run(lab, 'node-1', ['iptables', '-F', 'NOPE'])).toEqual({
      stdout: '',
      stderr: 'iptables: No chain/target/match by that name.\n',
      exitCode: 1
    })
  })

  test('a rule added with -A is printed back in iptables-save order with the implicit tcp match', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(
      run(lab, 'node-1', [
        'iptables',
        '-A',
        'INPUT',
        '-p',
        'tcp',
        '--dport',
        '80',
        '-m',
        'comment',
        '--comment',
        'x y',
        '-s',
        '1.2.3.4',
        '-j',
        'DROP'
      ]).exitCode
    ).toBe(0)
    expect(run(lab, 'node-1', ['iptables', '-S', 'INPUT']).stdout).toContain(
      '-A INPUT -s 1.2.3.4/32 -p tcp -m tcp --dport 80 -m comment --comment "x y" -j DROP\n'
    )
  })

  test('ip errors for unknown devices and routes', () => {
    const lab = fixtureLab('two-node-vxlan')
    expect(run(lab, 'client', ['ip', 'link', 'show', 'dev', 'nosuch'])).toEqual({
      stdout: '',
      stderr: 'Device "nosuch" does not exist.\n',
      exitCode: 1
    })
    expect(run(lab, 'client', ['ip', 'route', 'del', '10.99.0.0/16'])).toEqual({
      stdout: '',
      stderr: 'RTNETLINK answers: No such process\n',
      exitCode: 2
    })
    expect(run(lab, 'client', ['ip', 'neigh', 'del', '10.244.1.77', 'dev', 'eth0'])).toEqual({
      stdout: '',
      stderr: 'RTNETLINK answers: No such file or directory\n',
      exitCode: 2
    })
  })
})
