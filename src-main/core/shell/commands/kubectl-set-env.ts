/**
 * `kubectl set env` on flannel's DaemonSet (its pods: flannel-pods.ts): `NAME=VALUE` sets a
 * variable in the pod template, `NAME-` removes it. flanneld reads its flags from
 * `FLANNELD_<FLAG>` variables, so `FLANNELD_IFACE=eth1` is `--iface=eth1`. The changed template
 * rolls the DaemonSet, and each node's new flanneld picks its interface again (`restartFlanneld`).
 */

import type { CommandContext, CommandOutput } from '../command.ts'
import { restartFlanneld } from '../../kube/flannel.ts'
import { FLANNEL_DS, FLANNEL_NAMESPACE, flannelEnv, flannelPods } from '../../kube/flannel-pods.ts'
const IFACE_VAR = 'FLANNELD_IFACE'

const err = (stderr: string): CommandOutput => ({ stdout: '', stderr, exitCode: 1 })

export function setEnv(ctx: CommandContext, args: readonly string[], namespace: string): CommandOutput {
  const [what, target, ...pairs] = args
  if (what !== 'env')
    return err(
      `error: the lab's kubectl sets only env: kubectl -n ${FLANNEL_NAMESPACE} set env ds/${FLANNEL_DS} ${IFACE_VAR}=IFACE\n`
    )
  const m = /^(?:daemonsets?(?:\.apps)?|ds)\/(.+)$/.exec(target ?? '')
  if (!m)
    return err(
      `error: the lab's kubectl sets env only on flannel's DaemonSet: kubectl -n ${FLANNEL_NAMESPACE} set env ds/${FLANNEL_DS} ${IFACE_VAR}=IFACE\n`
    )
  if (m[1] !== FLANNEL_DS || namespace !== FLANNEL_NAMESPACE || flannelPods(ctx.lab).length === 0)
    return err(`Error from server (NotFound): daemonsets.apps "${m[1]}" not found\n`)
  if (pairs.length === 0) return err('error: at least one environment variable must be provided\n')
  let env = flannelEnv(ctx.lab)
  for (const pair of pairs) {
    const removed = /^([-._a-zA-Z][-._a-zA-Z0-9]*)-$/.exec(pair)
    const set = /^([-._a-zA-Z][-._a-zA-Z0-9]*)=(.*)$/s.exec(pair)
    if (removed) env = env.filter((e) => e.name !== removed[1])
    else if (set) {
      const name = set[1]!
      const value = set[2]!
      if (name === IFACE_VAR && !/^[A-Za-z0-9_.-]{1,15}$/.test(value))
        return err(
          `error: the lab's flanneld takes an interface name such as eth1 in ${IFACE_VAR}, not "${value}"\n`
        )
      // An existing variable keeps its place, a new one goes last.
      const at = env.findIndex((e) => e.name === name)
      if (at === -1) env.push({ name, value })
      else env[at] = { name, value }
    } else return err(`error: environment variables must be of the form key=value and key-: "${pair}"\n`)
  }
  if (JSON.stringify(env) === JSON.stringify(flannelEnv(ctx.lab)))
    return { stdout: `daemonset.apps/${FLANNEL_DS} env updated (no change)\n`, stderr: '', exitCode: 0 }
  ctx.lab.flannelEnv = env
  const iface = env.find((e) => e.name === IFACE_VAR)
  if (iface !== undefined && 'value' in iface) ctx.lab.flannelIface = iface.value
  else delete ctx.lab.flannelIface
  restartFlanneld(ctx.lab)
  return { stdout: `daemonset.apps/${FLANNEL_DS} env updated\n`, stderr: '', exitCode: 0 }
}
