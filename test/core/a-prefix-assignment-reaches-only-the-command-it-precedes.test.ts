import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

test('NAME=VALUE before env, printenv and sh -c puts NAME in that command environment in a pod', () => {
  const sim = labShell()
  expect(run(sim, 'web-1', 'X=1 env | grep X')).toEqual({ stdout: 'X=1\n', stderr: '', exitCode: 0 })
  expect(run(sim, 'web-1', 'X=1 Y=2 printenv X Y').stdout).toBe('1\n2\n')
  expect(run(sim, 'web-1', `X=1 sh -c 'echo "[$X]"'`).stdout).toBe('[1]\n')
})

test('a prefix assignment reaches ip netns exec and the shell it runs there', () => {
  const sim = labShell()
  expect(run(sim, 'node-1', 'ip netns add pnl-prefix').exitCode).toBe(0)
  expect(
    run(
      sim,
      'node-1',
      `X=1 ip netns exec pnl-prefix printenv X; X=2 ip netns exec pnl-prefix sh -c 'echo $X'`
    )
  ).toEqual({ stdout: '1\n2\n', stderr: '', exitCode: 0 })
})

test('the shell variable keeps its value after a prefix assignment, which an exported one overrides for the command only', () => {
  const sim = labShell()
  const s = sim.session('web-1')!
  s.run('X=old')
  expect(s.run('X=new printenv X; echo "$X"; printenv X; echo $?').stdout).toBe('new\nold\n1\n')
  s.run('export X')
  expect(s.run('X=new printenv X; printenv X').stdout).toBe('new\nold\n')
})

test('a builtin sees its words expanded before its prefix assignment: X=1 echo $X prints the old value', () => {
  const sim = labShell()
  expect(run(sim, 'web-1', 'X=0; X=1 echo "[$X]"').stdout).toBe('[0]\n')
})

test('a prefix assignment applies in every place a simple command can be: pipelines, lists and loop bodies', () => {
  const sim = labShell()
  expect(
    run(sim, 'web-1', 'X=a printenv X | grep a && X=b printenv X; for i in 1 2; do N=$i printenv N; done')
      .stdout
  ).toBe('a\nb\n1\n2\n')
})

test('a line of assignments alone sets shell variables, each seeing the ones before it', () => {
  const sim = labShell()
  expect(run(sim, 'web-1', 'A=1 B=$A; echo $A $B; printenv A; echo $?').stdout).toBe('1 1\n1\n')
})
