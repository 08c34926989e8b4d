import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { labShell } from '../core/shell-fixture.ts'
import { call, withService } from './api-call.ts'

describe('a tool typed in a shell that lacks it', () => {
  it('prints exactly what bash prints, and the lab names the shells that have it beside the output', () => {
    const result = labShell().run('client', 'kubectl get pods')
    expect(result?.stdout).toBe('')
    expect(result?.stderr).toBe('bash: kubectl: command not found\n')
    expect(result?.exitCode).toBe(127)
    expect(result?.elsewhere).toEqual({ command: 'kubectl', targets: ['node-1', 'node-2', 'laptop'] })
  })

  it('names only the shells that have the tool: ipvsadm is on the nodes alone', () => {
    expect(labShell().run('web-1/app', 'ipvsadm -Ln')?.elsewhere).toEqual({
      command: 'ipvsadm',
      targets: ['node-1', 'node-2']
    })
  })

  it('adds nothing for a tool that exists nowhere in the lab, nor where the tool exists', () => {
    const shell = labShell()
    expect(shell.run('client', 'vim /etc/hosts')).not.toHaveProperty('elsewhere')
    expect(shell.run('node-1', 'kubectl get pods | grep -c Running')).not.toHaveProperty('elsewhere')
  })

  it('reaches the terminal through the API, outside stdout and stderr', async () => {
    await withService(async (service, learnerId) => {
      const sandbox = await call<{ sandboxId: string }>(service, 'sandbox:open', {
        learnerId,
        source: { kind: 'lesson', lessonId: 'services-clusterip' }
      })
      const output = await call<Record<string, unknown>>(service, 'sandbox:exec', {
        learnerId,
        sandboxId: sandbox.sandboxId,
        on: 'client',
        line: 'kubectl get pods'
      })
      expect(output).toEqual({
        stdout: '',
        stderr: 'bash: kubectl: command not found\n',
        exitCode: 127,
        elsewhere: { command: 'kubectl', targets: ['node-1', 'node-2'] }
      })
    })
  })

  it('podnet exec says it after the output, as its own note', () => {
    const r = spawnSync(
      process.execPath,
      [
        'scripts/podnet.mjs',
        'exec',
        'test/fixtures/scenarios/two-node-vxlan.yaml',
        '--on',
        'client',
        '--',
        'kubectl get pods'
      ],
      { encoding: 'utf8' }
    )
    expect(r.stderr).toBe(
      'bash: kubectl: command not found\npodnet exec: note: kubectl is not installed in this shell; in this lab it runs on node-1, node-2, laptop\n'
    )
    expect(r.status).toBe(127)
  })
})
