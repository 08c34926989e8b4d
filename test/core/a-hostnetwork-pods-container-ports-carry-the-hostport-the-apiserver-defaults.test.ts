import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * SetDefaults_Pod gives every port of a hostNetwork pod a hostPort equal to its containerPort
 * (for Pods only, since 1.28), so `-o yaml` and describe show it though the manifest never said it.
 */
describe('a hostNetwork pod as the apiserver stores it', () => {
  test('-o yaml lists the container port with hostPort equal to containerPort', () => {
    const s = labShell('../../../lessons/18-host-ports/scenario')
    const yaml = run(s, 'node-1', 'kubectl get pod exporter-node-2 -o yaml').stdout
    expect(yaml).toContain(
      '    ports:\n    - containerPort: 9100\n      hostPort: 9100\n      protocol: TCP\n'
    )
    const applied = run(s, 'node-1', 'kubectl get pod exporter-node-1 -o yaml').stdout
    expect(applied).toContain('    - containerPort: 9100\n      hostPort: 9100\n      protocol: TCP\n')
    expect(run(s, 'node-1', 'kubectl describe pod exporter-node-2').stdout).toMatch(
      /\n {4}Port: +9100\/TCP\n {4}Host Port: +9100\/TCP\n/
    )
  })

  test('a pod network pod keeps the hostPort it asked for, and one that asked for none has none', () => {
    const s = labShell('../../../lessons/18-host-ports/scenario')
    expect(run(s, 'node-1', 'kubectl get pod web-1 -o yaml').stdout).toContain(
      '    - containerPort: 8080\n      hostPort: 8080\n      protocol: TCP\n'
    )
    expect(run(s, 'node-1', 'kubectl describe pod web-1').stdout).toMatch(/\n {4}Host Port: +8080\/TCP\n/)
    const plain = labShell()
    expect(run(plain, 'node-1', 'kubectl get pod web-1 -o yaml').stdout).toContain(
      '    - containerPort: 8080\n      protocol: TCP\n'
    )
  })
})
