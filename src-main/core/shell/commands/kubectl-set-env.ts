/**
 * `kubectl set env` on flannel's DaemonSet (its pods: flannel-pods.ts): flanneld reads its flags from `FLANNELD_<FLAG>` variables, so `FLANNELD_IFACE=eth1` is
 * `--iface=eth1`. The changed pod template rolls the DaemonSet, and each node's new flanneld
 * picks its interface again (`restartFlanneld`).
 */

import type { CommandContext, CommandOutput } from '../command.ts'
import { restartFlanneld } from '../../kube/flannel.ts'
import { FLANNEL_DS, FLANNEL_NAMESPACE, flannelPods } from '../../kube/flannel-pods.ts'
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
  let iface = ctx.lab.flannelIface
  for (const pair of pairs) {
    if (pair === `${IFACE_VAR}-`) iface = undefined
    else if (
      pair.startsWith(`${IFACE_VAR}=`) &&
      /^[A-Za-z0-9_.-]{1,15}$/.test(pair.slice(IFACE_VAR.length + 1))
    )
      iface = pair.slice(IFACE_VAR.length + 1)
    else
      return err(
        `error: the lab's flanneld reads only ${IFACE_VAR} (an interface name such as eth1), not "${pair}"\n`
      )
  }
  if (iface === ctx.lab.flannelIface)
    return { stdout: `daemonset.apps/${FLANNEL_DS} env updated (no change)\n`, stderr: '', exitCode: 0 }
  if (iface === undefined) delete ctx.lab.flannelIface
  else ctx.lab.flannelIface = iface
  restartFlanneld(ctx.lab)
  return { stdout: `daemonset.apps/${FLANNEL_DS} env updated\n`, stderr: '', exitCode: 0 }
}
