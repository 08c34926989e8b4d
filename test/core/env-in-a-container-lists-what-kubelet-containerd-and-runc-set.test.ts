import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * A container's environment, from three sources (kube/container-env.ts): containerd's CRI
 * plugin starts with PATH and HOSTNAME (containerSpec), kubelet adds the container's `env`
 * and the service link variables pkg/kubelet/envvars FromServices makes for the Services of
 * the pod's namespace that existed when it started, and runc sets HOME last for root. The
 * lab keeps kubelet's two lists in spec order and Service order, where kubelet's Go maps
 * give an order that varies.
 */

const applyPod = (name: string): string =>
  `printf '%s\\n' 'apiVersion: v1' 'kind: Pod' 'metadata:' '  name: ${name}' 'spec:' '  nodeName: node-2' '  containers:' '  - name: main' '    image: busybox' '    env:' '    - name: ZED' '      value: last-letter' '    - name: MY_NODE' '      valueFrom:' '        fieldRef:' '          fieldPath: spec.nodeName' '    - name: WEB_SERVICE_PORT' '      value: "8080"' > ${name}.yaml && kubectl apply -f ${name}.yaml`

const kubernetesLinks = [
  'KUBERNETES_SERVICE_HOST=10.96.0.1',
  'KUBERNETES_SERVICE_PORT=443',
  'KUBERNETES_SERVICE_PORT_HTTPS=443',
  'KUBERNETES_PORT=tcp://10.96.0.1:443',
  'KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443',
  'KUBERNETES_PORT_443_TCP_PROTO=tcp',
  'KUBERNETES_PORT_443_TCP_PORT=443',
  'KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1'
]

test('kubectl exec -- env prints PATH, HOSTNAME, the spec env in order, the service links, HOME', () => {
  const sim = labShell()
  expect(run(sim, 'node-1', applyPod('envy')).stdout).toBe('pod/envy created\n')
  const lines = run(sim, 'node-1', 'kubectl exec envy -- env').stdout.trim().split('\n')
  expect(lines.slice(0, 5)).toEqual([
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOSTNAME=envy',
    'ZED=last-letter',
    'MY_NODE=node-2',
    'WEB_SERVICE_PORT=8080'
  ])
  expect(lines.slice(5, 13)).toEqual(kubernetesLinks)
  // The container's own WEB_SERVICE_PORT wins over the Service's.
  expect(lines.filter((l) => l.startsWith('WEB_SERVICE_PORT='))).toEqual(['WEB_SERVICE_PORT=8080'])
  expect(lines).toContain('WEB_PORT_80_TCP_PROTO=tcp')
  expect(lines).toContain('WEB_SERVICE_PORT_HTTP=80')
  expect(lines).toContain('WEB_NP_PORT=tcp://10.96.0.150:80')
  expect(lines.at(-1)).toBe('HOME=/root')
})

test('a Service created after the pod started is in the next pod only', () => {
  const sim = labShell()
  run(sim, 'node-1', applyPod('before'))
  run(sim, 'node-1', 'sleep 1')
  expect(run(sim, 'node-1', 'kubectl expose pod client --name=late-svc --port=9090').exitCode).toBe(0)
  run(sim, 'node-1', 'sleep 1')
  run(sim, 'node-1', applyPod('after'))
  expect(run(sim, 'node-1', 'kubectl exec before -- env').stdout).not.toContain('LATE_SVC_')
  expect(run(sim, 'node-1', 'kubectl exec after -- printenv LATE_SVC_SERVICE_PORT').stdout).toBe('9090\n')
})

test('printenv prints the values it finds and fails for a name it does not', () => {
  const sim = labShell()
  run(sim, 'node-1', applyPod('envy'))
  expect(run(sim, 'node-1', 'kubectl exec envy -- printenv HOSTNAME HOME')).toEqual({
    stdout: 'envy\n/root\n',
    stderr: '',
    exitCode: 0
  })
  const missing = run(sim, 'node-1', 'kubectl exec envy -- printenv NOPE HOSTNAME')
  expect([missing.stdout, missing.exitCode]).toEqual(['envy\n', 1])
})

test("a node's env is a root login's, with bash's `_` last", () => {
  const sim = labShell()
  const lines = run(sim, 'node-1', 'env').stdout.trim().split('\n')
  expect(lines).toContain('HOME=/root')
  expect(lines).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
  expect(lines).not.toContain('HOSTNAME=node-1')
  expect(lines.at(-1)).toBe('_=/usr/bin/env')
  expect(run(sim, 'node-1', 'env -x')).toEqual({
    stdout: '',
    stderr: "env: invalid option -- 'x'\nTry 'env --help' for more information.\n",
    exitCode: 125
  })
})
