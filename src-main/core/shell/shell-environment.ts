/**
 * The environment a target's shell starts with, the one `env` and `$NAME` both see: what
 * kube/container-env.ts builds for a container, a root login's on a node, nothing on an
 * external host (the lab models no login there).
 */
import { containerEnvironment, NODE_LOGIN_ENVIRONMENT, type Environment } from '../kube/container-env.ts'
import type { Lab } from '../kube/lab.ts'
import type { Target } from './command.ts'
import { findPod } from './targets.ts'
import { exportOrder } from './export-order.ts'

export function startingEnvironment(lab: Lab, target: Target): Environment {
  if (target.pod !== undefined) {
    const pod = findPod(lab, target.pod, target.namespace)
    return pod ? containerEnvironment(lab, pod, target.container) : []
  }
  return target.kind === 'node' ? NODE_LOGIN_ENVIRONMENT : []
}

/**
 * The environment of a terminal's shell: on a node the login's; in a pod what `kubectl exec
 * -it` gives the shell it starts, the container's plus the TERM containerd adds for a tty.
 */
export function terminalEnvironment(lab: Lab, target: Target): Environment {
  const environment = startingEnvironment(lab, target)
  if (target.pod === undefined || environment.some(([n]) => n === 'TERM')) return environment
  return [...environment, ['TERM', 'xterm']]
}

/**
 * A shell's exported variables in the order `env` lists them: the starting environment's
 * order, a value set again keeping its place, a newly exported name after them.
 */
export class ExportedVariables {
  readonly #names: string[]

  constructor(environment: Environment) {
    this.#names = environment.map(([name]) => name)
  }

  names(): readonly string[] {
    return this.#names
  }

  has(name: string): boolean {
    return this.#names.includes(name)
  }

  add(name: string): void {
    if (!this.has(name)) this.#names.push(name)
  }

  remove(name: string): void {
    const at = this.#names.indexOf(name)
    if (at !== -1) this.#names.splice(at, 1)
  }

  /**
   * The environment a child gets: each exported name that has a value, in the order the
   * shell's variable table lists them, or as created when no shell lists them (`env` and
   * `kubectl exec` run a command directly).
   */
  environment(values: ReadonlyMap<string, string>, shell?: 'bash' | 'busybox'): Environment {
    const env: [string, string][] = []
    for (const name of shell === undefined ? this.#names : exportOrder(this.#names, shell)) {
      const value = values.get(name)
      if (value !== undefined) env.push([name, value])
    }
    return env
  }
}
