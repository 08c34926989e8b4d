import { describe, expect, it } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

/**
 * grep matches on RE2, whose time grows with the input only. Under a backtracking engine each
 * hostile line below runs for minutes (the first one blocked the host for 120 s with 30 a's);
 * here they finish, so reaching the assertions at all is the evidence. No timing is asserted.
 */

const shell = labShell()
const a30 = 'a'.repeat(30)

describe('patterns that make a backtracking engine explode', () => {
  it('(a+)+$ against a run of a with a stray character after it', () => {
    expect(run(shell, 'node-1', `echo ${a30}! | grep -E '(a+)+$'`)).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 1
    })
    // The same in a BRE, on a far longer line, inverted, counted and case-folded.
    const long = 'a'.repeat(5000)
    expect(run(shell, 'node-1', `echo ${long}! | grep -c '\\(a\\+\\)\\+$'`)).toEqual({
      stdout: '0\n',
      stderr: '',
      exitCode: 1
    })
    expect(run(shell, 'node-1', `echo ${long}! | grep -vi -E '(A+)+$' | wc -c`).stdout).toBe('5002\n')
  })

  it('still matches where the pattern does match, with -o, -w and -x', () => {
    expect(run(shell, 'node-1', `echo ${a30} | grep -oE '(a+)+$'`).stdout).toBe(`${a30}\n`)
    expect(run(shell, 'node-1', `echo 'x ${a30} y' | grep -owE '(a|aa)+'`).stdout).toBe(`${a30}\n`)
    expect(run(shell, 'node-1', `echo ${a30} | grep -xE '(a|aa)+'`)).toEqual({
      stdout: `${a30}\n`,
      stderr: '',
      exitCode: 0
    })
    expect(run(shell, 'node-1', `echo ${a30}b | grep -cwE '(a|aa)+'`).stdout).toBe('0\n')
  })

  it('(a*)*b\\1 keeps its back-reference, and lines without a b never reach the backtracking engine', () => {
    expect(run(shell, 'node-1', `echo ${a30} | grep -E '(a*)*b\\1'`)).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 1
    })
    expect(run(shell, 'node-1', "echo 'ab ab' | grep -oE '(ab) \\1'").stdout).toBe('ab ab\n')
    expect(run(shell, 'node-1', "echo xyzzy | grep -c '\\(z\\)\\1'").stdout).toBe('1\n')
  })
})

describe("GNU's messages for patterns it refuses", () => {
  it('a back-reference to a group that is not there (yet)', () => {
    for (const p of ["grep '\\1'", "grep -E '(a\\1)'", "grep -E '(a)\\2'"])
      expect(run(shell, 'node-1', `echo aa | ${p}`)).toEqual({
        stdout: '',
        stderr: 'grep: Invalid back reference\n',
        exitCode: 2
      })
  })

  it('a repetition count beyond what the engine takes', () => {
    // GNU's RE_DUP_MAX is 32767; RE2 stops at 1000, and the lab says what GNU says past its own.
    for (const p of [
      "grep -E 'a{32768}'",
      "grep 'a\\{32768\\}'",
      "grep -E 'a{1001}'",
      "grep -E '(a{100}){100}'"
    ])
      expect(run(shell, 'node-1', `echo aaa | ${p}`)).toEqual({
        stdout: '',
        stderr: 'grep: Regular expression too big\n',
        exitCode: 2
      })
  })
})
