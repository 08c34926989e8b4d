/**
 * `sysctl [-n|-N] [-b] [-e] [-q] [-w] KEY[=VALUE]...`, `sysctl -a [-r PATTERN]`, as procps-ng
 * 4.0.2 parses and words them.
 */
import type { Command, CommandOutput } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { getopt } from '../getopt.ts'
import { normaliseSysctlKey, swapDotsAndSlashes, sysctlEntries, writeSysctl } from '../../linux/sysctl.ts'

const USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).
`

const TRY_HELP = "Try `sysctl --help' for more information.\n"

const refuse = (text: string): CommandOutput => ({
  stdout: '',
  stderr: `sysctl: ${text}\n${TRY_HELP}`,
  exitCode: 1
})

export const sysctlCommand: Command = {
  name: 'sysctl',
  summary: 'read and write kernel parameters',
  run(argv, ctx) {
    const ns = (ctx.lab as Lab).netns.get(ctx.target.netns)!
    // With no argument at all procps prints its usage as an error.
    if (argv.length === 0) return { stdout: '', stderr: USAGE, exitCode: 1 }
    const parsed = getopt('sysctl', argv, {
      short: 'bneNwqoxaAXr:Vdh',
      long: {
        all: { key: 'a', arg: false },
        binary: { key: 'b', arg: false },
        ignore: { key: 'e', arg: false },
        names: { key: 'N', arg: false },
        values: { key: 'n', arg: false },
        quiet: { key: 'q', arg: false },
        write: { key: 'w', arg: false },
        pattern: { key: 'r', arg: true },
        help: { key: 'h', arg: false },
        version: { key: 'V', arg: false }
      }
    })
    // procps 4.0.2 answers a bad option with its usage on stdout and status 0, as for -h.
    if (!parsed.ok) return { stdout: USAGE, stderr: `${parsed.message}\n`, exitCode: 0 }
    let write = false
    let all = false
    let namesOnly = false
    let valuesOnly = false
    let newline = '\n'
    let ignoreUnknown = false
    let quiet = false
    let pattern: RegExp | undefined
    for (const { key, value = '' } of parsed.value.options) {
      if (key === 'w') write = true
      else if (key === 'n') valuesOnly = true
      else if (key === 'N') namesOnly = true
      else if (key === 'b') {
        valuesOnly = true
        newline = ''
      } else if (key === 'a' || key === 'A' || key === 'X') all = true
      else if (key === 'e') ignoreUnknown = true
      else if (key === 'q') quiet = true
      else if (key === 'h' || key === 'd') return { stdout: USAGE, stderr: '', exitCode: 0 }
      else if (key === 'V') return { stdout: 'sysctl from procps-ng 4.0.2\n', stderr: '', exitCode: 0 }
      else if (key === 'r') {
        try {
          pattern = new RegExp(value)
        } catch {
          return { stdout: '', stderr: `sysctl: unable to parse pattern: ${value}\n`, exitCode: 1 }
        }
      }
    }
    if (namesOnly && quiet) return refuse('options -N and -q cannot coexist')
    const operands = parsed.value.operands
    if (!all && operands.length === 0) return refuse('no variables specified')
    // Reading, -N wins over -n; a write echoes the value alone under either.
    const line = (key: string, value: string): string =>
      namesOnly ? `${key}${newline}` : valuesOnly ? `${value}${newline}` : `${key} = ${value}${newline}`
    const written = (key: string, value: string): string =>
      namesOnly || valuesOnly ? `${value}${newline}` : `${key} = ${value}${newline}`
    const entries = sysctlEntries(ns)
    const listed = (keep: (key: string) => boolean): string =>
      entries
        .filter(([k]) => keep(k) && (pattern === undefined || pattern.test(k)))
        .map(([k, v]) => line(k, v))
        .join('')
    // With -a the operands are ignored, as procps does.
    if (all) return { stdout: listed(() => true), stderr: '', exitCode: 0 }

    const isKey = (key: string): boolean => entries.some(([k]) => k === key)
    const isDirectory = (key: string): boolean => entries.some(([k]) => k.startsWith(`${key}.`))
    let stdout = ''
    let stderr = ''
    let exitCode = 0
    const cannotStat = (key: string): void => {
      if (ignoreUnknown) return
      // A name below a file fails on the file, as stat() on the path does.
      const parts = key.split('.')
      const file = parts.some((_, i) => i > 0 && i < parts.length && isKey(parts.slice(0, i).join('.')))
      const why = file ? 'Not a directory' : 'No such file or directory'
      stderr += `sysctl: cannot stat /proc/sys/${swapDotsAndSlashes(key)}: ${why}\n`
      exitCode = 1
    }
    for (const operand of operands) {
      const eq = operand.indexOf('=')
      if (write && eq === -1) {
        stderr += 'sysctl: command line(0): invalid syntax, continuing...\n'
        exitCode = 1
        continue
      }
      const key = normaliseSysctlKey(eq === -1 ? operand : operand.slice(0, eq))
      if (key === '') {
        stderr += 'sysctl: Path is not under /proc/sys/: /proc/sys/\n'
        exitCode = 1
        continue
      }
      if (eq === -1) {
        // A directory lists everything under it.
        const value = entries.find(([k]) => k === key)?.[1]
        const under = value === undefined ? listed((k) => k.startsWith(`${key}.`)) : line(key, value)
        if (under === '') cannotStat(key)
        stdout += under
        continue
      }
      // Opening a directory for writing fails with EISDIR, which procps reports but does not count.
      if (!isKey(key) && isDirectory(key)) {
        stderr += `sysctl: setting key "${key}": Invalid argument\n`
        continue
      }
      const typed = operand.slice(eq + 1).trim()
      const result = writeSysctl(ns, key, typed)
      if (result === 'no-such-key') cannotStat(key)
      else if (result === 'invalid-argument') {
        stderr += `sysctl: setting key "${key}": Invalid argument\n`
        exitCode = 1
      } else if (!quiet) stdout += written(key, typed)
    }
    return { stdout, stderr, exitCode }
  }
}
