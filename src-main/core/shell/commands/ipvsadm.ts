/** `ipvsadm -Ln` (ipvsadm 1.31): IPVS virtual servers kube-proxy made in IPVS mode. */
import type { Command } from '../command.ts'
import { fail, ok } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { formatIpv4 } from '../../net/ipv4.ts'

export const ipvsadmCommand: Command = {
  name: 'ipvsadm',
  summary: 'list the IPVS virtual server table',
  availableOn: ['node'],
  run(argv, ctx) {
    const ns = (ctx.lab as Lab).netns.get(ctx.target.netns)!
    const flags = argv.join('').replace(/-/g, '')
    if (![...flags].every((c) => 'Ln'.includes(c)) || !flags.includes('L'))
      return fail(`Try \`ipvsadm -h' or 'ipvsadm --help' for more information.\n`, 2)
    const lines = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
    ]
    for (const vs of ns.ipvs) {
      const persistent = vs.persistent ? ` persistent ${vs.persistent.timeoutSeconds}` : ''
      lines.push(`${vs.proto}  ${formatIpv4(vs.vip)}:${vs.port} ${vs.scheduler}${persistent}`)
      for (const rs of vs.realServers) {
        lines.push(
          `  -> ${`${formatIpv4(rs.ip)}:${rs.port}`.padEnd(28)} Masq    ${String(rs.weight).padEnd(6)} ${String(rs.activeConn).padEnd(10)} ${String(rs.inactConn).padEnd(10)}`
        )
      }
    }
    return ok(lines.join('\n') + '\n')
  }
}
