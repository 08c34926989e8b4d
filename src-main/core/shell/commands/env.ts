/**
 * `env` and `printenv` (GNU coreutils 9.1): the environment the shell running them exported,
 * which starts as kube/container-env.ts builds it for a container and a root login has it on a node.
 */
import type { Command, CommandContext, CommandOutput } from '../command.ts'
import { fail, ok } from '../command.ts'
import type { Environment } from '../../kube/container-env.ts'
import { shellQuote } from '../quote.ts'
import { startingEnvironment } from '../shell-environment.ts'

/** Without a shell around it, as a login bash on a node would run the tool: `_` its path, last. */
function environmentOf(ctx: CommandContext, tool: string): Environment {
  if (ctx.environment !== undefined) return ctx.environment
  const env = startingEnvironment(ctx.lab, ctx.target)
  return ctx.target.kind === 'node' ? [...env, ['_', `/usr/bin/${tool}`]] : env
}

const invalidOption = (tool: string, option: string, code: number): CommandOutput =>
  fail(`${tool}: invalid option -- '${option}'\nTry '${tool} --help' for more information.\n`, code)

const listing = (env: Environment, terminator: string): string =>
  env.map(([name, value]) => `${name}=${value}${terminator}`).join('')

export const envCommand: Command = {
  name: 'env',
  summary: 'print the environment: env [-i] [-0] [-u NAME] [NAME=VALUE]... [COMMAND]',
  run(argv, ctx) {
    let env = [...environmentOf(ctx, 'env')]
    let terminator = '\n'
    let i = 0
    // Options end at the first operand: what follows belongs to the command.
    for (; i < argv.length; i++) {
      const a = argv[i]!
      if (a === '--') {
        i++
        break
      }
      if (a === '-' || !a.startsWith('-')) break
      if (a === '--ignore-environment') env = []
      else if (a === '--null') terminator = '\0'
      else if (a.startsWith('--unset=')) env = env.filter(([n]) => n !== a.slice('--unset='.length))
      else if (a.startsWith('--'))
        return fail(`env: unrecognized option '${a}'\nTry 'env --help' for more information.\n`, 125)
      else
        for (let j = 1; j < a.length; j++) {
          const c = a[j]!
          if (c === 'i') env = []
          else if (c === '0') terminator = '\0'
          else if (c === 'u') {
            const name = a.slice(j + 1) || argv[++i]
            if (name === undefined)
              return fail(
                `env: option requires an argument -- 'u'\nTry 'env --help' for more information.\n`,
                125
              )
            env = env.filter(([n]) => n !== name)
            break
          } else return invalidOption('env', c, 125)
        }
    }
    for (; i < argv.length && /^[^=]+=/.test(argv[i]!); i++) {
      const a = argv[i]!
      const eq = a.indexOf('=')
      const name = a.slice(0, eq)
      // setenv: a variable already there keeps its place.
      const at = env.findIndex(([n]) => n === name)
      if (at === -1) env.push([name, a.slice(eq + 1)])
      else env[at] = [name, a.slice(eq + 1)]
    }
    const command = argv.slice(i)
    if (command.length === 0) return ok(listing(env, terminator))
    return ctx.runOn(ctx.target, command.map(shellQuote).join(' '), env)
  }
}

export const printenvCommand: Command = {
  name: 'printenv',
  summary: 'print the environment, or the value of each NAME: printenv [-0] [NAME]...',
  run(argv, ctx) {
    const env = environmentOf(ctx, 'printenv')
    let terminator = '\n'
    const names: string[] = []
    for (const a of argv) {
      if (a === '-0' || a === '--null') terminator = '\0'
      else if (a.startsWith('--'))
        return fail(`printenv: unrecognized option '${a}'\nTry 'printenv --help' for more information.\n`, 2)
      else if (a.startsWith('-') && a !== '-')
        return invalidOption('printenv', a[1] === '0' ? a[2]! : a[1]!, 2)
      else names.push(a)
    }
    if (names.length === 0) return ok(listing(env, terminator))
    // Each name printed as found; a name containing `=` is never a variable.
    let missing = false
    let stdout = ''
    for (const name of names) {
      const found = name.includes('=') ? undefined : env.find(([n]) => n === name)
      if (found) stdout += `${found[1]}${terminator}`
      else missing = true
    }
    return { stdout, stderr: '', exitCode: missing ? 1 : 0 }
  }
}
