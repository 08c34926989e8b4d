import { describe, expect, it } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

const SERVICE = `cat <<EOF > svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: mine
spec:
  selector:
    app: web
  ports:
  - port: 8000
    targetPort: 8080
EOF`

describe('files in the lab: here-documents, printf and sed as bash and GNU write them', () => {
  const s = labShell()
  it('printf reuses its format for extra arguments and reads escapes', () => {
    expect(run(s, 'node-1', "printf '%s=%d\\n' a 1 b 2").stdout).toBe('a=1\nb=2\n')
    expect(run(s, 'node-1', "printf '%-4s|%03d\\t%%\\n' ab 7").stdout).toBe('ab  |007\t%\n')
    expect(run(s, 'node-1', "printf '%d\\n' x")).toEqual({
      stdout: '0\n',
      stderr: "printf: 'x': expected a numeric value\n",
      exitCode: 1
    })
  })

  it('sed substitutes, deletes and prints by address, and -i edits the file', () => {
    expect(run(s, 'node-1', "printf 'port: 80\\nport: 81\\n' | sed 's/[0-9][0-9]*/<&>/'").stdout).toBe(
      'port: <80>\nport: <81>\n'
    )
    expect(run(s, 'node-1', "printf 'a a\\nb\\n' | sed -e 's/a/x/2' -e '/b/d'").stdout).toBe('a x\n')
    expect(run(s, 'node-1', "printf 'x\\ny\\n' | sed -n '$p'").stdout).toBe('y\n')
    expect(
      run(s, 'node-1', "printf 'v: 1\\n' > f.yaml; sed -i -E 's/([a-z]+): 1/\\1: 2/g' f.yaml; cat f.yaml")
        .stdout
    ).toBe('v: 2\n')
    expect(run(s, 'node-1', "sed 's/a/b' f.yaml")).toEqual({
      stdout: '',
      stderr: "sed: -e expression #1, char 5: unterminated `s' command\n",
      exitCode: 1
    })
  })

  it('expands variables unless the delimiter is quoted, and <<- strips leading tabs', () => {
    expect(run(s, 'node-1', 'x=42\ncat <<EOF\nvalue $x\nEOF').stdout).toBe('value 42\n')
    expect(run(s, 'node-1', "x=42\ncat <<'EOF'\nvalue $x\nEOF").stdout).toBe('value $x\n')
    expect(run(s, 'node-1', 'cat <<-END > f.txt\n\tindented\n\tEND\ncat f.txt').stdout).toBe('indented\n')
  })
})

/** Each proxy mode's own view of what it programmed. */
const RULES: Record<string, string> = {
  'two-node-vxlan': 'iptables-save -t nat',
  'two-node-ipvs': 'ipvsadm -Ln',
  'two-node-nftables': 'nft list ruleset'
}

describe.each(Object.keys(RULES))('kubectl apply -f in %s', (fixture) => {
  it('creates a Service from a heredoc file that every node programs and curl reaches', () => {
    const s = labShell(fixture)
    expect(run(s, 'node-1', `${SERVICE}\nkubectl apply -f svc.yaml`)).toEqual({
      stdout: 'service/mine created\n',
      stderr: '',
      exitCode: 0
    })
    const ip = run(s, 'node-1', 'kubectl get svc mine -o jsonpath={.spec.clusterIP}').stdout
    expect(ip).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/)
    for (const node of ['node-1', 'node-2']) expect(run(s, node, RULES[fixture]!).stdout).toContain(ip)
    expect(run(s, 'client', `curl -s ${ip}:8000`).stdout).toMatch(/^web-\d\n$/)
    expect(run(s, 'node-1', 'kubectl apply -f svc.yaml').stdout).toBe('service/mine unchanged\n')
    expect(
      run(s, 'node-1', "sed -i 's/port: 8000/port: 9000/' svc.yaml; kubectl apply -f svc.yaml").stdout
    ).toBe('service/mine configured\n')
    expect(run(s, 'client', `curl -s ${ip}:9000`).stdout).toMatch(/^web-\d\n$/)
    expect(run(s, 'node-1', 'kubectl delete -f svc.yaml')).toEqual({
      stdout: 'service "mine" deleted\n',
      stderr: '',
      exitCode: 0
    })
    for (const node of ['node-1', 'node-2']) expect(run(s, node, RULES[fixture]!).stdout).not.toContain(ip)
  })
})

describe('the apiserver refuses what it refuses, in its words', () => {
  const s = labShell()
  it.each([
    [
      'port 0',
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selector: {app: web}, ports: [{port: 0, targetPort: 8080}]}',
      'The Service "x" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n'
    ],
    [
      'port 0, which the defaulted targetPort copies',
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selector: {app: web}, ports: [{port: 0}]}',
      'The Service "x" is invalid: \n* spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n* spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive\n'
    ],
    [
      'a nodePort out of range',
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 80}]}',
      'The Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767\n'
    ],
    [
      'a taken clusterIP',
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.96.0.100, ports: [{port: 80}]}',
      'The Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.100"}: failed to allocate IP 10.96.0.100: provided IP is already allocated\n'
    ],
    [
      'a misspelt field',
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selecter: {app: web}, ports: [{port: 80}]}',
      'Error from server (BadRequest): error when creating "bad.yaml": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.selecter"\n'
    ],
    [
      'a selector the template does not match',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: b}}, spec: {containers: [{name: c, image: nginx}]}}}',
      'The Deployment "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`\n'
    ],
    [
      'a missing kind',
      'apiVersion: v1\nmetadata: {name: x}',
      'error: error validating "bad.yaml": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false\n'
    ]
  ])('%s', (_, manifest, stderr) => {
    expect(run(s, 'node-1', `printf '%s\\n' '${manifest}' > bad.yaml; kubectl apply -f bad.yaml`)).toEqual({
      stdout: '',
      stderr,
      exitCode: 1
    })
  })
})

describe('Deployments and bare pods from manifests', () => {
  it('a Deployment applied from stdin makes pods that expose reaches; patch and delete -f follow', () => {
    const s = labShell()
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: echo}',
      'spec:',
      '  replicas: 2',
      '  selector: {matchLabels: {app: echo}}',
      '  template:',
      '    metadata: {labels: {app: echo}}',
      '    spec: {containers: [{name: app, image: nginx, ports: [{containerPort: 80}]}]}'
    ].join('\n')
    expect(run(s, 'node-1', `kubectl apply -f - <<EOF\n${manifest}\nEOF`).stdout).toBe(
      'deployment.apps/echo created\n'
    )
    expect(run(s, 'node-1', 'kubectl expose deployment echo --port=8081 --target-port=80').stdout).toBe(
      'service/echo exposed\n'
    )
    const ip = run(s, 'node-1', 'kubectl get svc echo -o jsonpath={.spec.clusterIP}').stdout
    expect(run(s, 'client', `curl -s ${ip}:8081`).stdout).toMatch(/^echo-[a-z0-9]+-[a-z0-9]{5}\n$/)
    expect(
      run(s, 'node-1', `kubectl patch deploy echo --type=merge -p '{"spec":{"replicas":3}}'`).stdout
    ).toBe('deployment.apps/echo patched\n')
    expect(
      run(
        s,
        'node-1',
        `kubectl patch deploy echo --type=json -p '[{"op":"replace","path":"/spec/replicas","value":1}]'`
      ).stdout
    ).toBe('deployment.apps/echo patched\n')
    expect(run(s, 'node-1', 'kubectl get ep echo --no-headers').stdout).toMatch(
      /^echo {3}10\.244\.\d\.\d+:80 {3}0s\n$/
    )
    expect(run(s, 'node-1', `kubectl apply -f - <<EOF\n${manifest}\nEOF`).stdout).toBe(
      'deployment.apps/echo configured\n'
    )
    expect(run(s, 'node-1', `kubectl delete -f - <<EOF\n${manifest}\nEOF`).stdout).toBe(
      'deployment.apps "echo" deleted\n'
    )
    expect(run(s, 'node-1', 'kubectl get pods --no-headers | grep -c echo').stdout).toBe('0\n')
  })

  it('applying over a scenario object warns that it lacks the last-applied annotation', () => {
    const s = labShell()
    const r = run(
      s,
      'node-1',
      "printf 'apiVersion: v1\\nkind: Service\\nmetadata: {name: web}\\nspec: {clusterIP: 10.96.0.100, selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8081}]}\\n' > w.yaml; kubectl apply -f w.yaml"
    )
    expect(r.stdout).toBe('service/web configured\n')
    expect(r.stderr).toBe(
      'Warning: resource services/web is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n'
    )
    expect(run(s, 'node-1', 'kubectl create -f w.yaml').stderr).toBe(
      'Error from server (AlreadyExists): error when creating "w.yaml": services "web" already exists\n'
    )
  })
})
