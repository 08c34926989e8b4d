/**
 * `dmesg` (util-linux 2.38): a host's kernel messages. A real buffer starts with the boot log; the
 * lab's holds only what its kernel model wrote since the lab started, so every line is one the
 * learner's own traffic or commands caused.
 */
import type { Command } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import { formatKernelLine } from '../../linux/kmsg.ts'

export const dmesgCommand: Command = {
  name: 'dmesg',
  summary: "print the host kernel's messages (conntrack table full, modules loaded)",
  availableOn: ['node', 'external'],
  run(argv, ctx) {
    if (argv.length > 0)
      return {
        stdout: '',
        stderr: "dmesg: the lab's dmesg prints the whole buffer only: dmesg\n",
        exitCode: 1
      }
    const lines = (ctx.lab as Lab).netns.get(ctx.target.netns)!.kmsg?.lines ?? []
    return { stdout: lines.map((l) => `${formatKernelLine(l)}\n`).join(''), stderr: '', exitCode: 0 }
  }
}
