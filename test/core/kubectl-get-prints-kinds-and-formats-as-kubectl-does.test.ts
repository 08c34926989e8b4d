import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { labShell, run } from './shell-fixture.ts'

describe('kubectl get: several kinds, selectors and output formats as kubectl prints them', () => {
  const s = labShell()
  const get = (line: string): { stdout: string; stderr: string; exitCode: number } => run(s, 'node-1', line)

  it('prints one table per kind, names prefixed with the kind, a blank line between', () => {
    expect(get('kubectl get svc,endpoints -l component=apiserver').stdout).toBe(
      [
        'NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE',
        'service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   0s',
        ''
      ].join('\n')
    )
    expect(get('kubectl get svc,ep web').stdout).toBe(
      [
        'NAME          TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE',
        'service/web   ClusterIP   10.96.0.100   <none>        80/TCP    0s',
        '',
        'NAME            ENDPOINTS                                         AGE',
        'endpoints/web   10.244.1.3:8080,10.244.1.4:8080,10.244.2.2:8080   0s',
        ''
      ].join('\n')
    )
  })

  it('get all lists pods then services', () => {
    const out = get('kubectl get all').stdout
    const tables = out.split('\n\n')
    expect(tables).toHaveLength(2)
    expect(tables[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE\npod\/client /)
    expect(tables[1]).toMatch(/^NAME +TYPE +CLUSTER-IP .*\nservice\/empty-svc /)
  })

  it.each([
    ['kubectl get pods --field-selector spec.nodeName=node-2 -o name', 'pod/web-3\n'],
    [
      'kubectl get pods --field-selector status.phase=Running,metadata.name!=client -o name',
      'pod/web-1\npod/web-2\npod/web-3\n'
    ],
    [
      'kubectl get svc -A --field-selector metadata.namespace=default,spec.type=NodePort -o name',
      'service/web-np\n'
    ],
    ['kubectl get pods -o jsonpath={.items[*].metadata.name}', 'client web-1 web-2 web-3'],
    [
      `kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}'`,
      'web-1\tnode-1\nweb-2\tnode-1\nweb-3\tnode-2\n'
    ],
    [`kubectl get svc kubernetes -o jsonpath='{.spec.ports[0].targetPort}'`, '6443'],
    [`kubectl get pods -o jsonpath='{.items[?(@.spec.nodeName=="node-2")].metadata.name}'`, 'web-3'],
    [
      'kubectl get pods -l app=web --no-headers -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName --sort-by=.spec.nodeName',
      'web-1   node-1\nweb-2   node-1\nweb-3   node-2\n'
    ],
    [
      'kubectl get nodes -L kubernetes.io/hostname --no-headers',
      'node-1   Ready   control-plane   0s    v1.31.0   node-1\nnode-2   Ready   <none>          0s    v1.31.0   node-2\n'
    ],
    [
      'kubectl get svc -A --field-selector spec.type=NodePort',
      'NAMESPACE   NAME     TYPE       CLUSTER-IP    EXTERNAL-IP   PORT(S)        AGE\ndefault     web-np   NodePort   10.96.0.150   <none>        80:30080/TCP   0s\n'
    ],
    ['kubectl version', 'Client Version: v1.31.0\nKustomize Version: v5.4.2\nServer Version: v1.31.0\n']
  ])('%s', (line, stdout) => {
    expect(get(line)).toEqual({ stdout, stderr: '', exitCode: 0 })
  })

  it('prints one named object as itself and anything else as a kind: List', () => {
    const one = parseYaml(get('kubectl get svc web -o yaml').stdout) as Record<string, unknown>
    expect(one).toMatchObject({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        clusterIP: '10.96.0.100',
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }]
      },
      status: { loadBalancer: {} }
    })
    const list = JSON.parse(get('kubectl get pods -l app=web -o json').stdout) as {
      kind: string
      metadata: unknown
      items: { kind: string; status: { podIP: string } }[]
    }
    expect(list.kind).toBe('List')
    expect(list.metadata).toEqual({ resourceVersion: '' })
    expect(list.items.map((p) => [p.kind, p.status.podIP])).toEqual([
      ['Pod', '10.244.1.3'],
      ['Pod', '10.244.1.4'],
      ['Pod', '10.244.2.2']
    ])
  })

  it('prints yaml as go-yaml does: sorted keys, quoted timestamps, unindented sequences', () => {
    expect(get('kubectl get svc web -o yaml').stdout).toMatch(
      /^apiVersion: v1\nkind: Service\nmetadata:\n {2}creationTimestamp: "2026-01-05T09:00:00Z"\n {2}name: web\n {2}namespace: default\n {2}resourceVersion: "\d+"\n {2}uid: [0-9a-f-]{36}\nspec:\n {2}clusterIP: 10\.96\.0\.100\n {2}clusterIPs:\n {2}- 10\.96\.0\.100\n/
    )
  })

  it('gives the same ids in every lab built from the same scenario, a pod its uid everywhere', () => {
    const again = labShell()
    const line = 'kubectl get pods,svc,ep,endpointslices,nodes -o json'
    expect(run(again, 'node-1', line).stdout).toBe(get(line).stdout)
    const podUid = get("kubectl get pod web-3 -o jsonpath='{.metadata.uid}'").stdout
    expect(get(`kubectl get ep web -o jsonpath='{.subsets[0].addresses[2].targetRef.uid}'`).stdout).toBe(
      podUid
    )
  })

  it.each([
    ['kubectl get foo', 'error: the server doesn\'t have a resource type "foo"\n'],
    ['kubectl get pods,foo', 'error: the server doesn\'t have a resource type "foo"\n'],
    [
      'kubectl get pods -x',
      "error: unknown shorthand flag: 'x' in -x\nSee 'kubectl get --help' for usage.\n"
    ],
    ['kubectl get pods --bogus', "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"],
    [
      'kubectl get pods --field-selector foo=bar',
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "foo=bar": field label not supported: foo\n'
    ],
    [
      'kubectl get svc --field-selector spec.selector=x',
      'Error from server (BadRequest): Unable to find "/v1, Resource=services" that match label selector "", field selector "spec.selector=x": "spec.selector" is not a known field selector: only "metadata.name", "metadata.namespace"\n'
    ],
    [
      "kubectl get pods -o jsonpath='{.items[0].metadata.name'",
      'error: error parsing jsonpath {.items[0].metadata.name, unclosed action\n'
    ],
    [
      'kubectl get pods -o custom-columns=NAME',
      'error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>\n'
    ],
    ['kubectl get pods -o jsonpath', 'error: template format specified but no template given\n']
  ])('%s', (line, stderr) => {
    expect(get(line)).toEqual({ stdout: '', stderr, exitCode: 1 })
  })

  it('prints what it found and names what it did not', () => {
    expect(get('kubectl get pods web-1 nope -o name')).toEqual({
      stdout: 'pod/web-1\n',
      stderr: 'Error from server (NotFound): pods "nope" not found\n',
      exitCode: 1
    })
  })
})
