import { describe, expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * sysctl's -q, -n, -N, -b and -e, alone and together, and each error it can print, as procps-ng
 * 4.0.2 prints them in a real network namespace (Debian 12).
 */

const TRY = "Try `sysctl --help' for more information.\n"
const COEXIST = `sysctl: options -N and -q cannot coexist\n${TRY}`
const NO_VARIABLES = `sysctl: no variables specified\n${TRY}`
const NOPE_MISSING = 'sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n'

const cases: [line: string, stdout: string, stderr: string, exitCode: number][] = [
  ['sysctl -q -w net.ipv4.ip_forward=1', '', '', 0],
  ['sysctl -q net.ipv4.ip_forward', 'net.ipv4.ip_forward = 1\n', '', 0],
  ['sysctl -q net.ipv4.ip_forward=0', '', '', 0],
  ['sysctl -n -w net.ipv4.ip_forward=1', '1\n', '', 0],
  ['sysctl -N -w net.ipv4.ip_forward=0', '0\n', '', 0],
  ['sysctl -nN net.ipv4.ip_forward', 'net.ipv4.ip_forward\n', '', 0],
  ['sysctl -Nn net.ipv4.ip_forward', 'net.ipv4.ip_forward\n', '', 0],
  ['sysctl -b net.ipv4.ip_forward', '1', '', 0],
  ['sysctl --val net.ipv4.ip_forward', '1\n', '', 0],
  ['sysctl net.ipv4.ip_forward=1 -n', '1\n', '', 0],
  ['sysctl -N -q -w net.ipv4.ip_forward=0', '', COEXIST, 1],
  ['sysctl -q -N net.ipv4.ip_forward', '', COEXIST, 1],
  ['sysctl -q net.ipv4.nope', '', NOPE_MISSING, 1],
  ['sysctl -q -w net.ipv4.nope=1', '', NOPE_MISSING, 1],
  ['sysctl -e -w net.ipv4.nope=1', '', '', 0],
  ['sysctl -e -n net.nope net.ipv4.ip_forward', '1\n', '', 0],
  ['sysctl -n net.ipv4.ip_forward net.ipv4.nope', '1\n', NOPE_MISSING, 1],
  [
    'sysctl net.ipv4.ip_forward.x',
    '',
    'sysctl: cannot stat /proc/sys/net/ipv4/ip_forward/x: Not a directory\n',
    1
  ],
  ['sysctl -e net.ipv4.ip_forward.x', '', '', 0],
  ['sysctl -w net.ipv4.conf.lo=1', '', 'sysctl: setting key "net.ipv4.conf.lo": Invalid argument\n', 0],
  [
    'sysctl -e -w net.ipv4.ip_forward=abc',
    '',
    'sysctl: setting key "net.ipv4.ip_forward": Invalid argument\n',
    1
  ],
  ['sysctl -q -w net.ipv4.ip_forward', '', 'sysctl: command line(0): invalid syntax, continuing...\n', 1],
  ['sysctl -w =1', '', 'sysctl: Path is not under /proc/sys/: /proc/sys/\n', 1],
  ['sysctl -x', '', NO_VARIABLES, 1],
  ['sysctl -w', '', NO_VARIABLES, 1]
]

describe('sysctl options and errors read as procps-ng 4 prints them', () => {
  test.each(cases)('%s', (line, stdout, stderr, exitCode) => {
    expect(run(labShell(), 'node-1', `sysctl -q -w net.ipv4.ip_forward=1; ${line}`)).toEqual({
      stdout,
      stderr,
      exitCode
    })
  })

  test('a bad option prints the usage on stdout and exits 0, as -h does', () => {
    const bad = run(labShell(), 'node-1', 'sysctl -z')
    const help = run(labShell(), 'node-1', 'sysctl -h')
    expect(bad.stderr).toBe("sysctl: invalid option -- 'z'\n")
    expect(bad.stdout).toMatch(/^\nUsage:\n sysctl \[options\] \[variable\[=value\] \.\.\.\]\n/)
    expect(bad.stdout).toBe(help.stdout)
    expect([bad.exitCode, help.exitCode]).toEqual([0, 0])
  })

  test('no argument at all prints the usage on stderr and exits 1', () => {
    const r = run(labShell(), 'node-1', 'sysctl')
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(run(labShell(), 'node-1', 'sysctl -h').stdout)
    expect(r.exitCode).toBe(1)
  })
})
