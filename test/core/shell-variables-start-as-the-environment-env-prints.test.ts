import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * A shell's variables start as the environment `env` prints there (kube/container-env.ts for
 * a container, a root login's on a node), plus what bash sets without exporting: HOSTNAME
 * from gethostname(2) and PWD. `export` hands a variable to the commands the shell runs,
 * `unset` takes it away; `kubectl exec` starts from the container's own environment.
 */

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

test('in a pod $KUBERNETES_SERVICE_HOST, $HOME, $PATH and $HOSTNAME are the container environment', () => {
  const sim = labShell()
  expect(
    run(sim, 'client', 'echo $KUBERNETES_SERVICE_HOST ${KUBERNETES_SERVICE_PORT} $HOME $PATH $HOSTNAME $PWD')
  ).toEqual({
    stdout: `10.96.0.1 443 /root ${DEFAULT_PATH} client /\n`,
    stderr: '',
    exitCode: 0
  })
  expect(run(sim, 'node-1', `kubectl exec client -- sh -c 'echo "$HOSTNAME $KUBERNETES_PORT"'`).stdout).toBe(
    'client tcp://10.96.0.1:443\n'
  )
})

test('on a node the login environment expands, and HOSTNAME is set but not exported', () => {
  const sim = labShell()
  expect(run(sim, 'node-1', 'echo $HOME $USER $SHELL $PATH $HOSTNAME $PWD').stdout).toBe(
    `/root root /bin/bash ${DEFAULT_PATH} node-1 /root\n`
  )
  expect(run(sim, 'node-1', 'printenv HOSTNAME; echo $?').stdout).toBe('1\n')
})

test('export puts a variable in env, `_` still last; a plain assignment stays in the shell; unset removes either', () => {
  const sim = labShell()
  run(sim, 'node-1', 'export GREETING=hello; LOCAL=1')
  const lines = run(sim, 'node-1', 'env').stdout.trim().split('\n')
  expect(lines).toContain('GREETING=hello')
  expect(lines.at(-1)).toBe('_=/usr/bin/env')
  expect(lines.some((l) => l.startsWith('LOCAL='))).toBe(false)
  expect(
    run(sim, 'node-1', 'echo $LOCAL; unset LOCAL HOME; echo "[$LOCAL] [$HOME]"; printenv HOME; echo $?')
      .stdout
  ).toBe('1\n[] []\n1\n')
})

test('export changes a starting variable in place, and a pod exported to keeps it for the terminal only', () => {
  const sim = labShell()
  expect(run(sim, 'client', 'export HOME=/tmp; env | grep ^HOME=').stdout).toBe('HOME=/tmp\n')
  expect(run(sim, 'client', 'printenv HOME').stdout).toBe('/tmp\n')
  // kubectl exec starts a new process from the container's own environment.
  expect(run(sim, 'node-1', 'kubectl exec client -- printenv HOME').stdout).toBe('/root\n')
})

test('kubectl exec does not hand the node shell exports to the container; sh -c and ip netns exec do', () => {
  const sim = labShell()
  run(sim, 'node-1', 'export TOKEN=abc')
  expect(run(sim, 'node-1', 'kubectl exec client -- printenv TOKEN; echo $?').stdout).toBe('1\n')
  expect(run(sim, 'node-1', `sh -c 'echo $TOKEN'`).stdout).toBe('abc\n')
  expect(run(sim, 'node-1', 'ip netns add pnl-env && ip netns exec pnl-env printenv TOKEN').stdout).toBe(
    'abc\n'
  )
})

test('export and unset refuse names no variable can have, in interactive bash words', () => {
  const sim = labShell()
  expect(run(sim, 'node-1', 'export 1x=2 OK=1; printenv OK')).toEqual({
    stdout: '1\n',
    stderr: "bash: export: `1x=2': not a valid identifier\n",
    exitCode: 0
  })
  expect(run(sim, 'node-1', 'unset -v a-b')).toEqual({
    stdout: '',
    stderr: "bash: unset: `a-b': not a valid identifier\n",
    exitCode: 1
  })
})

test('export -p lists the exported variables sorted, as bash and BusyBox sh read them back', () => {
  const sim = labShell()
  const bash = run(sim, 'node-1', `export Q='say "hi" $x'; export U; export -p`).stdout.split('\n')
  expect(bash).toContain('declare -x Q="say \\"hi\\" \\$x"')
  expect(bash).toContain('declare -x U')
  expect(bash.slice(0, 2)).toEqual(['declare -x HOME="/root"', 'declare -x LANG="C.UTF-8"'])
  // BusyBox ash prints them as dash does, single-quoted.
  const busybox = labShell('two-node-deployment')
  expect(
    run(busybox, 'client', `export Q="it's"; export U; export -p | grep -E " (HOME|Q|U)(=|$)"`).stdout
  ).toBe(`export HOME='/root'\nexport Q='it'"'"'s'\nexport U\n`)
})

test('${NAME:-WORD} and ${NAME:+WORD} see the environment; quotes inside WORD say the lab does not run them', () => {
  const sim = labShell()
  expect(
    run(sim, 'client', 'echo ${KUBERNETES_SERVICE_HOST:-none}:${NOPE_PORT:-80} ${HOME:+home}').stdout
  ).toBe('10.96.0.1:80 home\n')
  expect(run(sim, 'node-1', 'echo ${NOPE:="x"}')).toEqual({
    stdout: '',
    stderr: 'bash: ${NOPE:="x"}: quotes inside ${NAME:=WORD} are not available in this lab shell\n',
    exitCode: 2
  })
  expect(run(sim, 'node-1', 'echo ${NOPE:-"q"}').stderr).toBe(
    'bash: ${NOPE:-"q"}: quotes inside ${NAME:-WORD} are not available in this lab shell\n'
  )
})
