import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const yaml = dnsClusterYaml({ id: 'bb-nslookup', webOn: ['node-2'], webService: true }).replace(
  '{ name: shell, app: sleep }',
  '{ name: shell, image: busybox, app: sleep }'
)

/** The queries the client pod sent, as `TYPE? name`, in the order node-1's bridge saw them. */
function queriesSent(s: ReturnType<typeof labShellFromYaml>): string[] {
  return run(s, 'node-1', 'tcpdump -nn -i cni0 udp port 53')
    .stdout.split('\n')
    .filter((l) => /\.53: \d+\+ /.test(l))
    .map((l) => l.replace(/^.*\.53: \d+\+ /, '').replace(/ \(\d+\)$/, ''))
}

describe("BusyBox's nslookup in a busybox pod", () => {
  it('asks A and AAAA under every search domain at once, and a NXDOMAIN among them fails it', () => {
    const s = labShellFromYaml(yaml)
    const r = run(s, 'client', 'nslookup web')
    expect(r).toEqual({
      stdout:
        'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n' +
        'Name:\tweb.default.svc.cluster.local\nAddress: 10.96.0.11\n\n' +
        "** server can't find web.svc.cluster.local: NXDOMAIN\n\n" +
        "** server can't find web.cluster.local: NXDOMAIN\n\n" +
        '\n' +
        "** server can't find web.svc.cluster.local: NXDOMAIN\n\n" +
        "** server can't find web.cluster.local: NXDOMAIN\n\n",
      stderr: '',
      exitCode: 1
    })
    expect(queriesSent(s)).toEqual([
      'A? web.default.svc.cluster.local.',
      'A? web.svc.cluster.local.',
      'A? web.cluster.local.',
      'AAAA? web.default.svc.cluster.local.',
      'AAAA? web.svc.cluster.local.',
      'AAAA? web.cluster.local.'
    ])
  })

  it('asks a name with a dot only as written, so kubernetes.default is not found', () => {
    const s = labShellFromYaml(yaml)
    expect(run(s, 'client', 'nslookup kubernetes.default')).toEqual({
      stdout:
        'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n' +
        "** server can't find kubernetes.default: SERVFAIL\n\n".repeat(2),
      stderr: '',
      exitCode: 1
    })
    expect(run(s, 'client', 'nslookup kubernetes.default.svc.cluster.local')).toEqual({
      stdout:
        'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n' +
        'Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n\n',
      stderr: '',
      exitCode: 0
    })
  })

  it('asks a SERVFAIL again at once, twice as many times as it has queries', () => {
    const s = labShellFromYaml(yaml)
    run(s, 'client', 'nslookup example.com')
    expect(queriesSent(s)).toEqual(Array(3).fill(['A? example.com.', 'AAAA? example.com.']).flat())
  })

  it('looks an address up by its PTR and a given server without the search list', () => {
    const s = labShellFromYaml(yaml)
    expect(run(s, 'client', 'nslookup 10.96.0.11').stdout).toBe(
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n' +
        '11.0.96.10.in-addr.arpa\tname = web.default.svc.cluster.local\n\n'
    )
    expect(run(s, 'client', 'nslookup -type=a web 10.96.0.10').stdout).toBe(
      "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find web: SERVFAIL\n\n"
    )
  })

  it('sends its queries again halfway through the timeout when no server answers', () => {
    const s = labShellFromYaml(yaml)
    expect(run(s, 'client', 'nslookup web 10.96.0.99')).toEqual({
      stdout: ';; connection timed out; no servers could be reached\n\n',
      stderr: '',
      exitCode: 1
    })
    expect(queriesSent(s)).toEqual(['A? web.', 'AAAA? web.', 'A? web.', 'AAAA? web.'])
    expect(run(s, 'client', 'timeout 1 nslookup web 10.96.0.99; echo $?')).toEqual({
      stdout: '124\n',
      stderr: '',
      exitCode: 0
    })
    expect(run(s, 'client', 'nslookup -type=bogus web')).toEqual({
      stdout: '',
      stderr: 'nslookup: invalid query type "bogus"\n',
      exitCode: 1
    })
  })

  it('gives up at once when the kernel refuses the first of several queries', () => {
    const s = labShellFromYaml(yaml)
    expect(run(s, 'client', 'nslookup web 10.244.1.2')).toEqual({
      stdout: ';; connection timed out; no servers could be reached\n\n',
      stderr: "nslookup: write to '10.244.1.2': Connection refused\n",
      exitCode: 1
    })
    expect(run(s, 'client', 'nslookup 10.1.2.3 10.244.1.2').stderr).toBe(
      'nslookup: read: Connection refused\n'.repeat(2)
    )
  })
})
