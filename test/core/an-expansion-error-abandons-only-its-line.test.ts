import { expect, test } from 'vitest'
import { labShell } from './shell-fixture.ts'

test('an unset ${NAME:?WORD} abandons the rest of the line with status 1 and the terminal goes on', () => {
  const s = labShell().session('web-1')!
  expect(s.run('echo a; echo ${Z:?unset here}; echo b')).toMatchObject({
    stdout: 'a\n',
    stderr: 'bash: Z: unset here\n',
    exitCode: 1
  })
  expect(s.run('echo $?').stdout).toBe('1\n')
  expect(s.run('echo ${Z:=set now} ${Z:?unset here}').stdout).toBe('set now set now\n')
})

test('an expansion error inside $(...) ends only the substitution, as its subshell exits', () => {
  const s = labShell().session('node-1')!
  expect(s.run('echo "[$(echo ${Z:?m})]" after')).toMatchObject({
    stdout: '[] after\n',
    stderr: 'bash: Z: m\n',
    exitCode: 0
  })
})
