/** `sysctl KEY...`, `sysctl -n KEY`, `sysctl -w KEY=VALUE` (procps-ng). */
import type { Command } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { normaliseSysctlKey } from '../../linux/sysctl.ts'

export const sysctlCommand: Command = {
  name: 'sysctl',
  summary: 'read and write kernel parameters',
  run(argv, ctx) {
    const ns = (ctx.lab as Lab).netns.get(ctx.target.netns)!
    let write = false
    let valuesOnly = false
    let stdout = ''
    let stderr = ''
    let exitCode = 0
    for (const a of argv) {
      if (a === '-w' || a === '--write') write = true
      else if (a === '-n' || a === '--values') valuesOnly = true
      else if (a.startsWith('-'))
        return { stdout, stderr: `sysctl: invalid option -- '${a.slice(1, 2)}'\n`, exitCode: 255 }
      else {
        const eq = a.indexOf('=')
        const key = normaliseSysctlKey(eq === -1 ? a : a.slice(0, eq))
        const value = eq === -1 ? undefined : a.slice(eq + 1)
        if (!(key in ns.sysctl)) {
          stderr += `sysctl: cannot stat /proc/sys/${key.replace(/\./g, '/')}: No such file or directory\n`
          exitCode = 1
          continue
        }
        if (value !== undefined || write) {
          if (value === undefined) {
            stderr += `sysctl: "${key}" must be of the form name=value\n`
            exitCode = 1
            continue
          }
          ns.sysctl[key] = value.trim()
        }
        stdout += valuesOnly ? `${ns.sysctl[key]}\n` : `${key} = ${ns.sysctl[key]}\n`
      }
    }
    return { stdout, stderr, exitCode }
  }
}
