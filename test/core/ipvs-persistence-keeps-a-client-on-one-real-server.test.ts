import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'

/** IPVS mode with a second web Service that asks for ClientIP affinity. */
const yaml = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8')
  .replace('mode: iptables', 'mode: ipvs')
  .replace(
    'services:\n',
    [
      'services:',
      '  - name: sticky',
      '    clusterIP: 10.96.0.130',
      '    selector: { app: web }',
      '    sessionAffinity: ClientIP',
      '    ports: [{ name: http, port: 80, targetPort: 8080 }]',
      ''
    ].join('\n')
  )
const backends = (text: string): number => new Set(text.trim().split('\n')).size
const curls = (ip: string): string => Array(6).fill(`curl -s http://${ip}/`).join(' ; ')

test('a ClientIP Service is a persistent virtual server: ipvsadm shows it and one client keeps one backend', () => {
  const shell = labShellFromYaml(yaml)
  const listing = run(shell, 'node-1', 'ipvsadm -Ln').stdout
  expect(listing).toContain('TCP  10.96.0.130:80 rr persistent 10800\n')
  expect(listing).toContain('TCP  10.96.0.100:80 rr\n')
  expect(backends(run(shell, 'client', curls('10.96.0.130')).stdout)).toBe(1)
  // The same client on the Service without affinity goes round the three backends.
  expect(backends(run(shell, 'client', curls('10.96.0.100')).stdout)).toBe(3)
})
