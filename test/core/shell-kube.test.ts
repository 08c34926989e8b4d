import { describe, expect, it } from 'vitest'
import { completionData, resolveTarget } from '../../src-main/core/shell/targets.ts'
import { humanDuration, tabulate, unitsAgo } from '../../src-main/core/shell/commands/kubectl.ts'
import { labShell, labShellFromYaml, run } from './shell-fixture.ts'

describe('kubectl (v1.31 output)', () => {
  const s = labShell()
  it('gets pods -o wide with tabwriter columns', () => {
    expect(run(s, 'node-1', 'kubectl get pods -o wide').stdout).toBe(
      [
        'NAME     READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES',
        'client   1/1     Running   0          0s    10.244.1.2   node-1   <none>           <none>',
        'web-1    1/1     Running   0          0s    10.244.1.3   node-1   <none>           <none>',
        'web-2    1/1     Running   0          0s    10.244.1.4   node-1   <none>           <none>',
        'web-3    1/1     Running   0          0s    10.244.2.2   node-2   <none>           <none>',
        ''
      ].join('\n')
    )
  })

  it('gets services and endpoints', () => {
    expect(run(s, 'node-1', 'kubectl get svc').stdout).toBe(
      [
        'NAME         TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)        AGE',
        'empty-svc    ClusterIP   10.96.0.200   <none>        80/TCP         0s',
        'kubernetes   ClusterIP   10.96.0.1     <none>        443/TCP        0s',
        'web          ClusterIP   10.96.0.100   <none>        80/TCP         0s',
        'web-np       NodePort    10.96.0.150   <none>        80:30080/TCP   0s',
        ''
      ].join('\n')
    )
    expect(run(s, 'node-1', 'kubectl get endpoints kubernetes').stdout).toContain(
      'kubernetes   192.168.56.11:6443'
    )
    expect(run(s, 'node-1', 'kubectl get endpoints empty-svc web').stdout).toBe(
      'NAME        ENDPOINTS                                         AGE\nempty-svc   <none>                                            0s\nweb         10.244.1.3:8080,10.244.1.4:8080,10.244.2.2:8080   0s\n'
    )
  })

  it('describes a Service with its endpoints', () => {
    const out = run(s, 'node-1', 'kubectl describe svc web-np').stdout
    expect(out).toContain('Type:                     NodePort\n')
    expect(out).toContain(
      'Port:                     http  80/TCP\nTargetPort:               8080/TCP\nNodePort:                 http  30080/TCP\nEndpoints:                10.244.1.3:8080,10.244.1.4:8080,10.244.2.2:8080\n'
    )
    expect(out).toContain('External Traffic Policy:  Cluster\n')
  })

  it.each([
    ['kubectl get foo', 'error: the server doesn\'t have a resource type "foo"\n', 1],
    ['kubectl get pods nope', 'Error from server (NotFound): pods "nope" not found\n', 1],
    ['kubectl get pods -n kube-public', 'No resources found in kube-public namespace.\n', 0],
    ['kubectl logs nope', 'Error from server (NotFound): pods "nope" not found\n', 1],
    [
      'kubectl exec web-1 hostname',
      "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n",
      1
    ]
  ])('%s', (line, stderr, exitCode) => {
    expect(run(s, 'node-1', line)).toEqual({ stdout: '', stderr, exitCode })
  })

  it('execs into a container, reporting its exit code as kubectl does', () => {
    expect(run(s, 'node-1', 'kubectl exec web-2 -- hostname')).toEqual({
      stdout: 'web-2\n',
      stderr: '',
      exitCode: 0
    })
    expect(run(s, 'node-1', "kubectl exec web-2 -- sh -c 'exit 3'")).toEqual({
      stdout: '',
      stderr: 'command terminated with exit code 3\n',
      exitCode: 3
    })
    expect(run(s, 'node-1', 'kubectl exec web-2 -- ping -c 1 10.244.2.2').stdout).toContain('ttl=62')
  })

  it('deletes a pod: its replacement gets the next address and the endpoints follow', () => {
    const t = labShell()
    expect(run(t, 'node-1', 'kubectl delete pod web-1')).toEqual({
      stdout: 'pod "web-1" deleted\n',
      stderr: '',
      exitCode: 0
    })
    expect(run(t, 'node-1', 'kubectl get pods -o wide | grep web-1').stdout).toContain('10.244.1.5')
    expect(run(t, 'node-1', 'kubectl get ep web | tail -1').stdout).toBe(
      'web    10.244.1.4:8080,10.244.1.5:8080,10.244.2.2:8080   0s\n'
    )
    expect(run(t, 'client', 'curl -s 10.244.1.5:8080').stdout).toBe('web-1\n')
    expect(run(t, 'node-1', 'kubectl delete pod nope')).toEqual({
      stdout: '',
      stderr: 'Error from server (NotFound): pods "nope" not found\n',
      exitCode: 1
    })
  })

  it('prints container logs', () => {
    expect(run(s, 'node-1', 'kubectl logs web-1').stdout).toBe(
      'Serving HTTP on 0.0.0.0 port 8080 (http://0.0.0.0:8080/) ...\n'
    )
  })
})

describe('a pod whose second container binds a taken port', () => {
  const s = labShellFromYaml(`formatVersion: 1
id: clash
nodes: [{ name: n1, ip: 192.168.56.11 }]
pods:
  - name: two
    node: n1
    shareProcessNamespace: true
    containers: [{ name: a, app: http, port: 8080 }, { name: b, app: http, port: 8080 }]
`)
  it('crash-loops, and kubectl says so', () => {
    expect(run(s, 'n1', 'kubectl get pods').stdout).toBe(
      'NAME   READY   STATUS             RESTARTS   AGE\ntwo    1/2     CrashLoopBackOff   5          0s\n'
    )
    expect(run(s, 'n1', 'kubectl logs two -c b').stdout).toBe('OSError: [Errno 98] Address already in use\n')
    expect(run(s, 'n1', 'kubectl logs two')).toEqual({
      stdout: 'Serving HTTP on 0.0.0.0 port 8080 (http://0.0.0.0:8080/) ...\n',
      stderr: 'Defaulted container "a" out of: a, b\n',
      exitCode: 0
    })
  })

  it('shows /pause as PID 1 in the shared PID namespace', () => {
    expect(run(s, 'two', 'ps ax').stdout).toBe(
      '    PID TTY      STAT   TIME COMMAND\n' +
        '      1 ?        Ss     0:00 /pause\n' +
        '      2 ?        Ss     0:00 python3 -m http.server 8080\n' +
        '      3 ?        Ss     0:00 python3 -m http.server 8080\n' +
        '      9 pts/0    Ss     0:00 bash\n' +
        '     18 pts/0    R+     0:00 ps ax\n'
    )
  })
})

describe('per-target views', () => {
  const s = labShell()
  it('shows a container only its own processes without a shared PID namespace', () => {
    expect(run(s, 'web-1', 'ps ax').stdout).toBe(
      '    PID TTY      STAT   TIME COMMAND\n' +
        '      1 ?        Ss     0:00 python3 -m http.server 8080\n' +
        '      7 pts/0    Ss     0:00 bash\n' +
        '     16 pts/0    R+     0:00 ps ax\n'
    )
  })

  it("shows plain ps only the terminal's own shell and itself, as procps does", () => {
    expect(run(s, 'web-1', 'ps').stdout).toBe(
      '    PID TTY          TIME CMD\n      7 pts/0    00:00:00 bash\n     16 pts/0    00:00:00 ps\n'
    )
  })

  it('lists listening sockets like ss from iproute2 6.1', () => {
    expect(run(s, 'web-1', 'ss -tlnp').stdout).toBe(
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\nLISTEN 0      128          0.0.0.0:8080      0.0.0.0:*    users:(("python3",pid=1,fd=3))\n'
    )
    expect(run(s, 'web-1', 'ss -tln').stdout).toBe(
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\nLISTEN 0      128          0.0.0.0:8080      0.0.0.0:*          \n'
    )
    expect(run(s, 'client', 'ss -ulnp').stdout).toBe(
      'State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n'
    )
  })

  it('names hosts by their UTS namespace', () => {
    expect(run(s, 'web-1/app', 'hostname').stdout).toBe('web-1\n')
    expect(run(s, 'node-2', 'hostname').stdout).toBe('node-2\n')
  })

  it('serves the files kubelet and flanneld write', () => {
    expect(run(s, 'node-2', 'cat /run/flannel/subnet.env').stdout).toBe(
      'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.2.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n'
    )
    expect(run(s, 'web-3', 'cat /etc/hosts | tail -1').stdout).toBe('10.244.2.2\tweb-3\n')
    expect(run(s, 'client', 'cat /etc/resolv.conf').stdout).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n'
    )
    expect(run(s, 'node-1', 'cat /proc/sys/net/ipv4/ip_forward').stdout).toBe('1\n')
    expect(run(s, 'client', 'cat /run/flannel/subnet.env')).toEqual({
      stdout: '',
      stderr: 'cat: /run/flannel/subnet.env: No such file or directory\n',
      exitCode: 1
    })
    expect(run(s, 'node-1', 'cat /proc/sys')).toEqual({
      stdout: '',
      stderr: 'cat: /proc/sys: Is a directory\n',
      exitCode: 1
    })
  })

  it('lists crictl pods on the node only, its own and its DaemonSets’', () => {
    const out = run(s, 'node-2', 'crictl pods').stdout.split('\n')
    expect(out[0]).toBe(
      'POD ID              CREATED                  STATE               NAME                    NAMESPACE           ATTEMPT             RUNTIME'
    )
    expect(out[1]?.slice(0, 13)).toMatch(/^[0-9a-f]{13}$/)
    expect(out[1]?.slice(13)).toBe(
      '       Less than a second ago   Ready               web-3                   default             0                   (default)'
    )
    expect(out.slice(2, 4).map((l) => l.split(/ {3,}/).slice(3, 5).join(' '))).toEqual([
      expect.stringMatching(/^kube-flannel-ds-[a-z0-9]{5} kube-flannel$/),
      expect.stringMatching(/^kube-proxy-[a-z0-9]{5} kube-system$/)
    ])
    expect(out).toHaveLength(5)
  })

  it('offers completion data for the terminal', () => {
    const data = completionData(s.lab, s.registry, resolveTarget(s.lab, 'node-1')!)
    expect(data.commands).toContain('kubectl')
    expect(data.devices).toEqual(expect.arrayContaining(['eth0', 'cni0', 'flannel.1']))
    expect(data.pods).toEqual(['client', 'web-1', 'web-2', 'web-3'])
    expect(data.subcommands.kubectl).toContain('get')
    expect(completionData(s.lab, s.registry, resolveTarget(s.lab, 'client')!).commands).not.toContain(
      'kubectl'
    )
  })
})

describe('formatting helpers', () => {
  it('formats AGE as kubectl and CREATED as crictl do', () => {
    expect(
      [0, 119_000, 125_000, 600_000, 3 * 3600_000 + 120_000, 9 * 3600_000, 50 * 3600_000].map(humanDuration)
    ).toEqual(['0s', '119s', '2m5s', '10m', '3h2m', '9h', '2d2h'])
    expect([500, 1000, 30_000, 60_000, 300_000, 3600_000].map(unitsAgo)).toEqual([
      'Less than a second ago',
      '1 second ago',
      '30 seconds ago',
      'About a minute ago',
      '5 minutes ago',
      'About an hour ago'
    ])
  })

  it('pads columns like Go tabwriter (minwidth 6, padding 3)', () => {
    expect(
      tabulate([
        ['A', 'LONGER'],
        ['xyzxyzxyz', 'b']
      ])
    ).toBe('A           LONGER\nxyzxyzxyz   b\n')
  })
})
