/** `sysctl [-n|-N] [-e] [-q] [-w] KEY[=VALUE]...`, `sysctl -a [-r PATTERN]` (procps-ng 4.0). */
import type { Command } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { normaliseSysctlKey, swapDotsAndSlashes, sysctlEntries, writeSysctl } from '../../linux/sysctl.ts'

export const sysctlCommand: Command = {
  name: 'sysctl',
  summary: 'read and write kernel parameters',
  run(argv, ctx) {
    const ns = (ctx.lab as Lab).netns.get(ctx.target.netns)!
    let write = false
    let all = false
    let show: 'both' | 'values' | 'names' = 'both'
    let ignoreUnknown = false
    let quiet = false
    let pattern: RegExp | undefined
    const operands: string[] = []
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!
      if (a === '-w' || a === '--write') write = true
      else if (a === '-n' || a === '--values') show = 'values'
      else if (a === '-N' || a === '--names') show = 'names'
      else if (a === '-a' || a === '-A' || a === '-X' || a === '--all') all = true
      else if (a === '-e' || a === '--ignore') ignoreUnknown = true
      else if (a === '-q' || a === '--quiet') quiet = true
      else if (a === '-r' || a === '--pattern' || a.startsWith('--pattern=')) {
        const src = a.startsWith('--pattern=') ? a.slice('--pattern='.length) : argv[++i]
        if (src === undefined)
          return { stdout: '', stderr: `sysctl: option requires an argument -- 'r'\n`, exitCode: 255 }
        try {
          pattern = new RegExp(src)
        } catch {
          return { stdout: '', stderr: `sysctl: unable to parse pattern: ${src}\n`, exitCode: 1 }
        }
      } else if (a.startsWith('-') && a.length > 1)
        return { stdout: '', stderr: `sysctl: invalid option -- '${a.slice(1, 2)}'\n`, exitCode: 255 }
      else operands.push(a)
    }
    const line = (key: string, value: string): string =>
      show === 'values' ? `${value}\n` : show === 'names' ? `${key}\n` : `${key} = ${value}\n`
    const entries = sysctlEntries(ns)
    const listed = (keep: (key: string) => boolean): string =>
      entries
        .filter(([k]) => keep(k) && (pattern === undefined || pattern.test(k)))
        .map(([k, v]) => line(k, v))
        .join('')
    // With -a the operands are ignored, as procps does.
    if (all) return { stdout: listed(() => true), stderr: '', exitCode: 0 }

    let stdout = ''
    let stderr = ''
    let exitCode = 0
    const cannotStat = (key: string): void => {
      if (ignoreUnknown) return
      stderr += `sysctl: cannot stat /proc/sys/${swapDotsAndSlashes(key)}: No such file or directory\n`
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
      const value = entries.find(([k]) => k === key)?.[1]
      if (eq === -1) {
        // A directory lists everything under it.
        const under = value === undefined ? listed((k) => k.startsWith(`${key}.`)) : line(key, value)
        if (under === '') cannotStat(key)
        stdout += under
        continue
      }
      const typed = operand.slice(eq + 1).trim()
      const result = writeSysctl(ns, key, typed)
      if (result === 'no-such-key') cannotStat(key)
      else if (result === 'invalid-argument') {
        stderr += `sysctl: setting key "${key}": Invalid argument\n`
        exitCode = 1
      } else if (!quiet) stdout += line(key, typed)
    }
    return { stdout, stderr, exitCode }
  }
}
