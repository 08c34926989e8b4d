/** `modprobe MODULE...` (kmod 30): loads kernel modules on a node. */
import type { Command } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { NODE_SYSTEM } from '../../kube/api-objects.ts'
import { newKernelLog, printk } from '../../linux/kmsg.ts'

/**
 * Modules a Debian 12 node has on disk and a Kubernetes node loads. Each is loaded already (or
 * built in) except br_netfilter, whose absence the lab can model: loading a loaded module is a
 * silent success, as kmod makes it.
 */
const AVAILABLE = new Set([
  'br_netfilter',
  'bridge',
  'vxlan',
  'veth',
  'overlay',
  'nf_conntrack',
  'nf_nat',
  'nf_tables',
  'ip_tables',
  'iptable_filter',
  'iptable_nat',
  'ip_vs',
  'ip_vs_rr',
  'ip_vs_wrr',
  'ip_vs_sh'
])

const BRIDGE_NF_CALL_IPTABLES = 'net.bridge.bridge-nf-call-iptables'

export const modprobeCommand: Command = {
  name: 'modprobe',
  summary: 'load a kernel module on a node (br_netfilter creates the net.bridge sysctls)',
  availableOn: ['node'],
  run(argv, ctx) {
    if (argv.length === 0 || argv.some((a) => a.startsWith('-')))
      return {
        stdout: '',
        stderr: "modprobe: the lab's modprobe loads modules only: modprobe MODULE...\n",
        exitCode: 1
      }
    const ns = (ctx.lab as Lab).netns.get(ctx.target.netns)!
    for (const name of argv) {
      // kmod treats - and _ in module names alike.
      const module = name.replaceAll('-', '_')
      if (!AVAILABLE.has(module))
        return {
          stdout: '',
          stderr: `modprobe: FATAL: Module ${name} not found in directory /lib/modules/${NODE_SYSTEM.kernelVersion}\n`,
          exitCode: 1
        }
      // br_netfilter starts with bridged traffic passing iptables: the sysctl appears set to 1.
      if (module === 'br_netfilter' && !(BRIDGE_NF_CALL_IPTABLES in ns.sysctl)) {
        ns.sysctl[BRIDGE_NF_CALL_IPTABLES] = '1'
        ns.kmsg ??= newKernelLog()
        printk(ns.kmsg, ctx.lab.clock.nowMs, 'Bridge firewalling registered')
      }
    }
    return { stdout: '', stderr: '', exitCode: 0 }
  }
}
