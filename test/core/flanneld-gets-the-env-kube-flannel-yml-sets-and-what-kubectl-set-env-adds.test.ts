import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * kube-flannel.yml (flannel v0.25) gives flanneld POD_NAME and POD_NAMESPACE from the downward
 * API and EVENT_QUEUE_DEPTH=5000; the apiserver defaults each fieldRef's apiVersion to v1.
 * kubectl describe resolves a field reference against the pod (kubectl's EnvValueFrom) and
 * leaves it empty in a DaemonSet's template; `kubectl set env` appends a new variable.
 */
function flannelPod(sim: ReturnType<typeof labShell>): string {
  return run(sim, 'node-1', 'kubectl get pods -n kube-flannel -o name')
    .stdout.split('\n')[0]!
    .slice('pod/'.length)
}

test('describe resolves the downward-API variables against the pod', () => {
  const sim = labShell()
  const pod = flannelPod(sim)
  const out = run(sim, 'node-1', `kubectl describe pod -n kube-flannel ${pod}`).stdout
  expect(out).toContain(
    '    Environment:\n' +
      `      POD_NAME:           ${pod} (v1:metadata.name)\n` +
      '      POD_NAMESPACE:      kube-flannel (v1:metadata.namespace)\n' +
      '      EVENT_QUEUE_DEPTH:  5000\n' +
      '    Mounts:\n'
  )
})

test('the pod and the DaemonSet carry the env as the apiserver returns it', () => {
  const sim = labShell()
  const env = [
    '- name: POD_NAME',
    '  valueFrom:',
    '    fieldRef:',
    '      apiVersion: v1',
    '      fieldPath: metadata.name',
    '- name: POD_NAMESPACE',
    '  valueFrom:',
    '    fieldRef:',
    '      apiVersion: v1',
    '      fieldPath: metadata.namespace',
    '- name: EVENT_QUEUE_DEPTH',
    '  value: "5000"'
  ]
  const indented = (n: number): string => env.map((l) => `${' '.repeat(n)}${l}\n`).join('')
  const pod = run(sim, 'node-1', `kubectl get pod -n kube-flannel ${flannelPod(sim)} -o yaml`).stdout
  expect(pod).toContain(`    env:\n${indented(4)}    image: docker.io/flannel/flannel`)
  const ds = run(sim, 'node-1', 'kubectl get ds -n kube-flannel kube-flannel-ds -o yaml').stdout
  expect(ds).toContain(`      - env:\n${indented(8)}        image: docker.io/flannel/flannel`)
})

test('kubectl set env appends to the template, which describe shows without a pod to resolve', () => {
  const sim = labShell()
  expect(
    run(sim, 'node-1', 'kubectl set env ds/kube-flannel-ds -n kube-flannel FLANNELD_IFACE=eth0').stdout
  ).toBe('daemonset.apps/kube-flannel-ds env updated\n')
  const out = run(sim, 'node-1', 'kubectl describe ds -n kube-flannel kube-flannel-ds').stdout
  expect(out).toContain(
    '    Environment:\n' +
      '      POD_NAME:            (v1:metadata.name)\n' +
      '      POD_NAMESPACE:       (v1:metadata.namespace)\n' +
      '      EVENT_QUEUE_DEPTH:  5000\n' +
      '      FLANNELD_IFACE:     eth0\n'
  )
  const pod = run(sim, 'node-1', `kubectl describe pod -n kube-flannel ${flannelPod(sim)}`).stdout
  expect(pod).toContain('      FLANNELD_IFACE:     eth0\n')
})

test('kubectl set env changes a variable in its place, appends a new one and drops one with NAME-', () => {
  const sim = labShell()
  const set = (pairs: string): string =>
    run(sim, 'node-1', `kubectl set env ds/kube-flannel-ds -n kube-flannel ${pairs}`).stdout
  expect(set('EVENT_QUEUE_DEPTH=100 X=Y POD_NAME-')).toBe('daemonset.apps/kube-flannel-ds env updated\n')
  const pod = run(sim, 'node-1', `kubectl describe pod -n kube-flannel ${flannelPod(sim)}`).stdout
  expect(pod).toContain(
    '    Environment:\n' +
      '      POD_NAMESPACE:      kube-flannel (v1:metadata.namespace)\n' +
      '      EVENT_QUEUE_DEPTH:  100\n' +
      '      X:                  Y\n' +
      '    Mounts:\n'
  )
  expect(set('X=Y')).toBe('daemonset.apps/kube-flannel-ds env updated (no change)\n')
})
