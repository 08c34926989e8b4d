import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { NODE_LOGIN_ENVIRONMENT } from '../../src-main/core/kube/container-env.ts'
import { hasBash, hasBusybox } from './real-bash.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * A terminal into a pod is the shell `kubectl exec -it POD -- bash` (or `sh`) starts: runc
 * gives it the container's environment and containerd adds TERM=xterm for the tty; the shell
 * then exports PWD and SHLVL (bash also an unset OLDPWD) and hands its exports on in the order
 * of its variable hash table. Real shells started with the same environment are the reference.
 */

const LINE = 'export GREETING=hello; env; export -p'

function realShell(program: readonly string[], environment: readonly string[], cwd: string): string {
  return execFileSync('env', ['-i', ...environment, ...program, LINE], {
    cwd,
    encoding: 'utf8',
    // An interactive bash says it has no job control on stderr.
    stdio: ['ignore', 'pipe', 'ignore']
  })
}

/** What runc starts a container's processes with: `kubectl exec` runs env directly. */
const containerEnvironment = (sim: ReturnType<typeof labShell>, pod: string): string[] =>
  run(sim, 'node-1', `kubectl exec ${pod} -- env`).stdout.trim().split('\n')

describe.runIf(hasBash)('bash in a terminal', () => {
  it('in a pod exports the container environment, TERM, PWD=/ and SHLVL=1 as bash -i orders them', () => {
    const sim = labShell()
    const environment = [...containerEnvironment(sim, 'client'), 'TERM=xterm']
    const real = realShell(['bash', '--norc', '-i', '-c'], environment, '/')
    expect(real).toContain('\nSHLVL=1\n')
    expect(real).toContain('declare -x OLDPWD\n')
    expect(run(sim, 'client', LINE).stdout).toBe(real)
  })

  it('on a node exports the login environment as bash -i orders it', () => {
    // What login(1) starts bash with: the lab's login environment is bash's, PWD and SHLVL added.
    const environment = NODE_LOGIN_ENVIRONMENT.filter(([n]) => n !== 'PWD' && n !== 'SHLVL').map(
      ([n, v]) => `${n}=${v}`
    )
    const real = realShell(['bash', '--norc', '-i', '-c'], environment, '/root')
    expect(run(labShell(), 'node-1', LINE).stdout).toBe(real)
  })
})

describe.runIf(hasBusybox)('BusyBox sh in a terminal', () => {
  it('in a busybox pod exports the container environment, TERM, PWD=/ and SHLVL=1 as ash orders them', () => {
    const sim = labShell('two-node-deployment')
    const environment = [...containerEnvironment(sim, 'client'), 'TERM=xterm']
    const real = realShell(['busybox', 'sh', '-c'], environment, '/')
    expect(real).toContain('\nPWD=/\n')
    expect(run(sim, 'client', LINE).stdout).toBe(real)
  })
})
