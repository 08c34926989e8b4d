import { expect, test } from 'vitest'
import type { ShellSession } from '../../src-main/core/shell/shell.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * `ip monitor rule` (and `ip monitor`, `ip monitor all`) as iproute2 6.1 printed them in a real
 * namespace while another shell added, deleted and flushed these rules.
 */

const printed = (monitor: ShellSession): string =>
  monitor
    .settle()
    .chunks.map((c) => c.text)
    .join('')

const CHANGES =
  'ip rule add from 10.1.0.0/16 lookup 100; ip rule add oif lo lookup 200 pref 300; ' +
  'ip rule add fwmark 0x10/0xff table 7 prio 50; ip rule add to 10.9.9.9 iif lo blackhole; ' +
  'ip rule del from 10.1.0.0/16 lookup 100; ip rule del pref 300; ip rule del prio 50; ' +
  'ip rule del to 10.9.9.9 iif lo blackhole'

const EVENTS = [
  '32765:\tfrom 10.1.0.0/16 lookup 100\n',
  '300:\tfrom all oif lo lookup 200\n',
  '50:\tfrom all fwmark 0x10/0xff lookup 7\n',
  '49:\tfrom all to 10.9.9.9 iif lo blackhole\n',
  'Deleted 32765:\tfrom 10.1.0.0/16 lookup 100\n',
  'Deleted 300:\tfrom all oif lo lookup 200\n',
  'Deleted 50:\tfrom all fwmark 0x10/0xff lookup 7\n',
  'Deleted 49:\tfrom all to 10.9.9.9 iif lo blackhole\n'
]

test.each([
  ['ip monitor rule', ''],
  ['ip monitor', ''],
  ['ip monitor rule route', ''],
  ['ip monitor all', '[RULE]'],
  ['ip monitor label rule', '[RULE]']
])('%s prints each rule added and deleted', (line, banner) => {
  const s = labShell()
  const monitor = s.liveTerminal('node-1', { schedule: () => () => undefined })!
  expect(monitor.run(line).running).toBe(true)
  run(s, 'node-1', CHANGES)
  expect(printed(monitor)).toBe(EVENTS.map((e) => banner + e).join(''))
})

test('ip rule flush reports every rule it deletes, in the list order, and a missing iif as detached', () => {
  const s = labShell()
  const monitor = s.liveTerminal('node-1', { schedule: () => () => undefined })!
  monitor.run('ip monitor rule')
  run(
    s,
    'node-1',
    'ip rule add from 10.1.0.0/16 lookup 100; ip rule add iif nonexist lookup 5; ip rule flush'
  )
  expect(printed(monitor)).toBe(
    '32765:\tfrom 10.1.0.0/16 lookup 100\n' +
      '32764:\tfrom all iif nonexist [detached] lookup 5\n' +
      'Deleted 32764:\tfrom all iif nonexist [detached] lookup 5\n' +
      'Deleted 32765:\tfrom 10.1.0.0/16 lookup 100\n' +
      'Deleted 32766:\tfrom all lookup main\n' +
      'Deleted 32767:\tfrom all lookup default\n'
  )
})
