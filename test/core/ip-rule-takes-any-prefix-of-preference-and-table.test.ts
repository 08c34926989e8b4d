import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/** iproute2 6.1 in a real namespace took these words, and refused `look`. */
test('ip rule takes any prefix of preference, order, priority and table, but lookup only whole', () => {
  const s = labShell()
  const added = [
    'fwmark 1 table 7 pri 60',
    'fwmark 1 table 7 p 61',
    'fwmark 1 table 7 ord 62',
    'fwmark 1 tab 8 pref 63',
    'fwmark 1 lookup 8 prior 64',
    'fwmark 1 table 8 prefer 66'
  ].map((words) => run(s, 'node-1', `ip rule add ${words}`).exitCode)
  expect(added).toEqual([0, 0, 0, 0, 0, 0])
  expect(run(s, 'node-1', 'ip rule add fwmark 1 look 8 prio 65')).toEqual({
    stdout: '',
    stderr: 'Error: argument "look" is wrong: Failed to parse rule type\n',
    exitCode: 255
  })
  expect(run(s, 'node-1', 'ip rule').stdout).toBe(
    '0:\tfrom all lookup local\n' +
      '60:\tfrom all fwmark 0x1 lookup 7\n' +
      '61:\tfrom all fwmark 0x1 lookup 7\n' +
      '62:\tfrom all fwmark 0x1 lookup 7\n' +
      '63:\tfrom all fwmark 0x1 lookup 8\n' +
      '64:\tfrom all fwmark 0x1 lookup 8\n' +
      '66:\tfrom all fwmark 0x1 lookup 8\n' +
      '32766:\tfrom all lookup main\n' +
      '32767:\tfrom all lookup default\n'
  )
})
