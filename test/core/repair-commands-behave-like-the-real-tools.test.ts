import { describe, expect, test } from 'vitest'
import { sendProbe } from '../../src-main/core/engine/probe.ts'
import { probeSpecOf, traceFactsOf } from '../../src-main/core/lesson/lab-adapter.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * The commands the troubleshooting labs repair things with. The bridge outputs and exit
 * statuses were taken from iproute2 6.1 on a real vxlan device in a pnl-* namespace; the kubectl
 * lines are kubectl 1.31's.
 */

describe('bridge fdb add|append|replace on a VXLAN device', () => {
  const remoteVtep = (shell: ReturnType<typeof labShell>): string => shell.lab.nodes[1]!.vtepMac!

  test('add restores a deleted remote VTEP entry, permanent by default, and cross-node pings work again', () => {
    const shell = labShell()
    const mac = remoteVtep(shell)
    expect(run(shell, 'node-1', `bridge fdb del ${mac} dev flannel.1`).exitCode).toBe(0)
    expect(run(shell, 'client', 'ping -c 1 10.244.2.2').stdout).toContain('100% packet loss')
    expect(run(shell, 'node-1', `bridge fdb add ${mac} dev flannel.1 dst 192.168.56.12`)).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0
    })
    expect(run(shell, 'node-1', 'bridge fdb show dev flannel.1').stdout).toBe(
      `${mac} dst 192.168.56.12 self permanent\n`
    )
    expect(run(shell, 'client', 'ping -c 1 10.244.2.2').stdout).toContain(' 0% packet loss')
  })

  test('add refuses a MAC that is already there; append on a unicast MAC changes nothing; replace rewrites the remote', () => {
    const shell = labShell()
    const mac = remoteVtep(shell)
    expect(run(shell, 'node-1', `bridge fdb add ${mac} dev flannel.1 dst 192.168.56.12`)).toEqual({
      stdout: '',
      stderr: 'RTNETLINK answers: File exists\n',
      exitCode: 255
    })
    expect(run(shell, 'node-1', `bridge fdb append ${mac} dev flannel.1 dst 192.168.56.13`).exitCode).toBe(0)
    expect(run(shell, 'node-1', 'bridge fdb show dev flannel.1').stdout).toBe(
      `${mac} dst 192.168.56.12 self permanent\n`
    )
    expect(
      run(shell, 'node-1', `bridge fdb replace ${mac} dev flannel.1 dst 192.168.56.13 static`).exitCode
    ).toBe(0)
    expect(run(shell, 'node-1', 'bridge fdb show dev flannel.1').stdout).toBe(
      `${mac} dst 192.168.56.13 self static\n`
    )
  })

  test('the newest entry prints first and dynamic entries carry no state word', () => {
    const shell = labShell()
    expect(
      run(shell, 'node-1', 'bridge fdb append aa:bb:cc:dd:ee:05 dev flannel.1 dst 192.168.56.15 dynamic')
        .exitCode
    ).toBe(0)
    expect(run(shell, 'node-1', 'bridge fdb show dev flannel.1').stdout.split('\n')[0]).toBe(
      'aa:bb:cc:dd:ee:05 dst 192.168.56.15 self '
    )
  })

  test("bad arguments get iproute2's messages and exit status 255", () => {
    const shell = labShell()
    expect(run(shell, 'node-1', 'bridge fdb add aa:bb:cc:dd:ee:04 dev flannel.1')).toEqual({
      stdout: '',
      stderr: 'RTNETLINK answers: Invalid argument\n',
      exitCode: 255
    })
    expect(run(shell, 'node-1', 'bridge fdb add zz dev flannel.1 dst 1.2.3.4').stderr).toBe(
      'Invalid mac address zz\n'
    )
    expect(run(shell, 'node-1', 'bridge fdb add aa:bb:cc:dd:ee:06 dev nope dst 1.2.3.4').stderr).toBe(
      'Cannot find device "nope"\n'
    )
    expect(run(shell, 'node-1', 'bridge fdb add aa:bb:cc:dd:ee:06 dst 1.2.3.4')).toEqual({
      stdout: '',
      stderr: 'Device and address are required arguments.\n',
      exitCode: 255
    })
    expect(run(shell, 'node-1', 'bridge fdb add aa:bb:cc:dd:ee:06 dev flannel.1 dst foo')).toEqual({
      stdout: '',
      stderr: 'Error: any valid address is expected rather than "foo".\n',
      exitCode: 1
    })
  })
})

describe('kubectl patch svc', () => {
  test('fixing a selector gives the Service endpoints and kube-proxy replaces the REJECT with DNAT rules', () => {
    const shell = labShell()
    expect(run(shell, 'node-1', 'kubectl get endpoints empty-svc').stdout).toContain('<none>')
    expect(run(shell, 'client', 'curl -s 10.96.0.200').exitCode).toBe(7)
    expect(
      run(shell, 'node-1', `kubectl patch svc empty-svc -p '{"spec":{"selector":{"app":"web"}}}'`)
    ).toEqual({ stdout: 'service/empty-svc patched\n', stderr: '', exitCode: 0 })
    expect(run(shell, 'node-1', 'iptables-save -t filter').stdout).not.toContain('has no endpoints')
    expect(run(shell, 'node-1', 'kubectl describe svc empty-svc').stdout).toMatch(/^Selector: +app=web$/m)
    expect(run(shell, 'client', 'curl -s 10.96.0.200').stdout).toMatch(/^web-\d\n$/)
  })

  test('a strategic merge keeps the other selector keys; null removes one', () => {
    const shell = labShell()
    run(shell, 'node-1', `kubectl patch svc empty-svc -p '{"spec":{"selector":{"tier":"api"}}}'`)
    expect(run(shell, 'node-1', 'kubectl describe svc empty-svc').stdout).toMatch(
      /^Selector: +app=nothing-matches,tier=api$/m
    )
    run(shell, 'node-1', `kubectl patch svc empty-svc -p '{"spec":{"selector":{"app":null}}}'`)
    expect(run(shell, 'node-1', 'kubectl describe svc empty-svc').stdout).toMatch(/^Selector: +tier=api$/m)
  })

  test("ports merge by port number, so a targetPort fix changes the endpoints' port", () => {
    const shell = labShell()
    run(shell, 'node-1', `kubectl patch svc web -p '{"spec":{"ports":[{"port":80,"targetPort":9090}]}}'`)
    expect(run(shell, 'node-1', 'kubectl get endpoints web').stdout).toContain(':9090')
    expect(run(shell, 'client', 'curl -s 10.96.0.100').exitCode).toBe(7)
    expect(
      run(
        shell,
        'node-1',
        `kubectl patch svc web --type merge -p '{"spec":{"ports":[{"name":"http","port":80,"targetPort":8080}]}}'`
      ).stdout
    ).toBe('service/web patched\n')
    expect(run(shell, 'node-1', 'kubectl describe svc web').stdout).toMatch(/^TargetPort: +8080\/TCP$/m)
  })

  test('the same patch twice says "(no change)"; errors read as kubectl\'s', () => {
    const shell = labShell()
    expect(
      run(shell, 'node-1', `kubectl patch svc web -p '{"spec":{"selector":{"app":"web"}}}'`).stdout
    ).toBe('service/web patched (no change)\n')
    expect(run(shell, 'node-1', 'kubectl patch svc web').stderr).toBe(
      'error: must specify --patch or --patch-file containing the contents of the patch\n'
    )
    expect(run(shell, 'node-1', `kubectl patch svc nope -p '{}'`).stderr).toBe(
      'Error from server (NotFound): services "nope" not found\n'
    )
    expect(
      run(shell, 'node-1', `kubectl patch svc web -p '{"spec":{"ports":[{"port":80,"targetPort":70000}]}}'`)
        .stderr
    ).toBe(
      'The Service "web" is invalid: spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n'
    )
  })
})

test('kubectl get pods --show-labels adds a LABELS column, keys sorted', () => {
  const shell = labShell()
  const lines = run(shell, 'node-1', 'kubectl get pods --show-labels').stdout.split('\n')
  expect(lines[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE +LABELS$/)
  expect(lines.find((l) => l.startsWith('client '))).toMatch(/ app=client$/)
})

describe('what the labs read off a refused connection', () => {
  test('a closed port answers the SYN with a RST that advertises no window, as tcp_v4_send_reset does', () => {
    const shell = labShell()
    run(shell, 'node-1', `kubectl patch svc web -p '{"spec":{"ports":[{"port":80,"targetPort":9090}]}}'`)
    expect(run(shell, 'client', 'curl 10.96.0.100').stderr).toBe(
      "curl: (7) Failed to connect to 10.96.0.100 port 80 after 0 ms: Couldn't connect to server\n"
    )
    expect(run(shell, 'client', 'tcpdump -n -i eth0').stdout).toMatch(
      /^.* IP 10\.96\.0\.100\.80 > 10\.244\.1\.2\.\d+: Flags \[R\.\], seq 0, ack \d+, win 0, length 0$/m
    )
  })

  test("kube-proxy's REJECT for a Service without endpoints is the trace's drop stage, a refusal by the pod is a delivery", () => {
    const shell = labShell()
    const spec = { from: 'client', to: '10.96.0.200', protocol: 'tcp', port: 80 } as const
    expect(traceFactsOf(shell.lab, spec, sendProbe(shell.lab, probeSpecOf(shell.lab, spec)))).toMatchObject({
      verdict: 'dropped',
      dropStage: 'netfilter-reject'
    })
    run(
      shell,
      'node-1',
      `kubectl patch svc empty-svc -p '{"spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":9090}]}}'`
    )
    const after = traceFactsOf(shell.lab, spec, sendProbe(shell.lab, probeSpecOf(shell.lab, spec)))
    expect(after.verdict).toBe('delivered')
    expect(after.dropStage).toBeUndefined()
  })
})

test('bridge fdb del reports like iproute2 6.1: exit status 255, the same argument messages as add', () => {
  const shell = labShell()
  expect(run(shell, 'node-1', 'bridge fdb del aa:bb:cc:dd:ee:09 dev flannel.1')).toEqual({
    stdout: '',
    stderr: 'RTNETLINK answers: No such file or directory\n',
    exitCode: 255
  })
  expect(run(shell, 'node-1', 'bridge fdb del aa:bb:cc:dd:ee:05')).toEqual({
    stdout: '',
    stderr: 'Device and address are required arguments.\n',
    exitCode: 255
  })
})
