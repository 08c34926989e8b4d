/**
 * Per-host commands that read the process and socket view of a target: `hostname`, `sh -c`,
 * `ps` (BusyBox in containers, procps on nodes), `ss` (iproute2 6.1), and `help`.
 */

import type { Command, CommandContext, CommandOutput, CommandRegistry } from '../command.ts'
import type { KubePod } from '../../kube/objects.ts'
import { formatIpv4 } from '../../net/index.ts'
import { getopt, has } from '../getopt.ts'
import { findPod } from '../targets.ts'
import {
  containerProcesses,
  hostProcesses,
  parentOf,
  terminalShell,
  type ContainerProcess,
  type ProcpsRow
} from '../processes.ts'
import { dialectOf } from '../dialect.ts'
import { serviceName } from '../etc-services.ts'

export const hostnameCommand: Command = {
  name: 'hostname',
  summary: "print the host name (a pod's is its name: the pod has its own UTS namespace)",
  run(argv, ctx) {
    if (argv.length > 0) {
      // Setting the name needs CAP_SYS_ADMIN in the UTS namespace; the lab keeps names fixed.
      return { stdout: '', stderr: 'hostname: you must be root to change the host name\n', exitCode: 1 }
    }
    return { stdout: `${ctx.target.hostname}\n`, stderr: '', exitCode: 0 }
  }
}

export const shCommand: Command = {
  name: 'sh',
  summary: 'run a command line: sh -c "LINE" (as kubectl exec POD -- sh -c "..." does)',
  run(argv, ctx) {
    if (argv[0] !== '-c') {
      return {
        stdout: '',
        stderr: 'sh: only "sh -c LINE" is available in the lab (the terminal is already a shell)\n',
        exitCode: 2
      }
    }
    if (argv.length < 2)
      return {
        stdout: '',
        stderr:
          dialectOf(ctx.target) === 'busybox'
            ? 'sh: -c requires an argument\n'
            : 'sh: 0: -c requires an argument\n',
        exitCode: 2
      }
    // Debian's /bin/sh is dash; a busybox image's is BusyBox sh, which the target's dialect gives.
    return ctx.runOn(ctx.target, argv[1] ?? '', ctx.environment, { program: 'dash', name: argv[2] ?? 'sh' })
  }
}

export const bashCommand: Command = {
  name: 'bash',
  summary: 'run a command line: bash -c "LINE" (not in a busybox container)',
  run(argv, ctx) {
    if (dialectOf(ctx.target) === 'busybox')
      return { stdout: '', stderr: 'sh: bash: not found\n', exitCode: 127 }
    if (argv[0] !== '-c') {
      return {
        stdout: '',
        stderr: 'bash: only "bash -c LINE" is available in the lab (the terminal is already a shell)\n',
        exitCode: 2
      }
    }
    if (argv.length < 2) return { stdout: '', stderr: 'bash: -c: option requires an argument\n', exitCode: 2 }
    return ctx.runOn(ctx.target, argv[1] ?? '', ctx.environment, { program: 'bash', name: argv[2] ?? 'bash' })
  }
}

export function helpCommand(registry: () => CommandRegistry): Command {
  return {
    name: 'help',
    summary: 'list the commands of this lab',
    run(_argv, ctx) {
      const cmds = registry().list(ctx.target)
      const width = Math.max(...cmds.map((c) => c.name.length))
      const rows = cmds.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n`).join('')
      return {
        stdout: `Commands on ${ctx.target.name}:\n${rows}\nShell: pipes (|) into grep/head/tail/wc/sort/uniq, ;, &&, ||, for i in $(seq N); do ...; done\n`,
        stderr: '',
        exitCode: 0
      }
    }
  }
}

function podOf(ctx: CommandContext): KubePod | undefined {
  return ctx.target.pod === undefined ? undefined : findPod(ctx.lab, ctx.target.pod, ctx.target.namespace)
}

export const psCommand: Command = {
  name: 'ps',
  summary: 'list processes: ps, ps ax, ps aux, ps -ef (BusyBox ps in a busybox container)',
  run(argv, ctx) {
    if (ctx.target.kind === 'pod' || ctx.target.kind === 'container') {
      const pod = podOf(ctx)
      if (!pod) return { stdout: '', stderr: '', exitCode: 0 }
      const procs = containerProcesses(pod, ctx.target.container)
      const shell = terminalShell(ctx.lab, ctx.target)
      return dialectOf(ctx.target) === 'busybox'
        ? busyboxPs(argv, procs, shell.pid)
        : containerPs(argv, procs, shell)
    }
    return nodePs(argv, ctx)
  }
}

function busyboxPs(
  argv: readonly string[],
  procs: readonly ContainerProcess[],
  shell: number
): CommandOutput {
  // BusyBox ps ignores the BSD-style words learners type out of habit.
  const bad = argv.find((a) => a.startsWith('-') && !/^-[efAaxwlT]+$/.test(a))
  if (bad !== undefined)
    return {
      stdout: '',
      stderr: `ps: unrecognized option: ${bad.slice(1)}\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ps [-o COL1,COL2=HEADER] [-T]\n`,
      exitCode: 1
    }
  // The terminal's shell and this ps run in the container too, after everything else.
  const rows = [
    ...procs,
    { pid: shell, user: 'root', command: 'sh' },
    { pid: shell + 6, user: 'root', command: argv.length > 0 ? `ps ${argv.join(' ')}` : 'ps' }
  ]
  const out = rows
    .map((p) => `${String(p.pid).padStart(5)} ${p.user.padEnd(8).slice(0, 8)}  0:00 ${p.command}\n`)
    .join('')
  return { stdout: `PID   USER     TIME  COMMAND\n${out}`, stderr: '', exitCode: 0 }
}

/** procps in a container: what runs there, then the `bash` that `kubectl exec` started and this ps. */
function containerPs(
  argv: readonly string[],
  procs: readonly ContainerProcess[],
  shell: { pid: number; ppid: number }
): CommandOutput {
  const rows = procs.map((p) => ({ pid: p.pid, stat: 'Ss', time: '0:00', command: p.command }))
  return procpsListing(argv.join(' '), rows, { ...shell, command: 'bash' })
}

function nodePs(argv: readonly string[], ctx: CommandContext): CommandOutput {
  const procs = hostProcesses(ctx.lab, ctx.target)
  return procpsListing(argv.join(' '), procs, { ...terminalShell(ctx.lab, ctx.target), command: '-bash' })
}

/** BSD-style TIME (`ps aux`, M:SS) as the standard format shows it (`ps -ef`, HH:MM:SS). */
function cumulativeTime(time: string): string {
  const [minutes = '0', seconds = '00'] = time.split(':')
  const m = Number(minutes)
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:${seconds}`
}

/** procps-ng 4.0's listings of `procs` plus the terminal's shell and the ps itself (its child). */
function procpsListing(
  mode: string,
  others: readonly ProcpsRow[],
  shell: { pid: number; ppid: number; command: string }
): CommandOutput {
  const procs: ProcpsRow[] = [
    ...others,
    { pid: shell.pid, ppid: shell.ppid, stat: 'Ss', time: '0:00', command: shell.command },
    { pid: shell.pid + 9, ppid: shell.pid, stat: 'R+', time: '0:00', command: `ps ${mode}`.trim() }
  ]
  const tty = (p: { pid: number }): string => (p.pid >= shell.pid ? 'pts/0' : '?')
  const name = (command: string): string => (command.split(' ')[0] ?? '').split('/').pop()!.replace(/^-/, '')
  switch (mode) {
    case '':
      return {
        stdout: `    PID TTY          TIME CMD\n${String(shell.pid).padStart(7)} pts/0    00:00:00 ${name(shell.command)}\n${String(shell.pid + 9).padStart(7)} pts/0    00:00:00 ps\n`,
        stderr: '',
        exitCode: 0
      }
    case 'ax':
    case '-ax':
    case 'aux':
    case '-e':
    case '-A':
    case '-ef': {
      if (mode === 'aux') {
        const rows = procs.map(
          (p) =>
            `root     ${String(p.pid).padStart(7)}  0.0  0.1  10000  4000 ${tty(p).padEnd(8)} ${p.stat.padEnd(4)} 09:00   ${p.time} ${p.command}\n`
        )
        return {
          stdout: `USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n${rows.join('')}`,
          stderr: '',
          exitCode: 0
        }
      }
      if (mode === '-ef') {
        const rows = procs.map(
          (p) =>
            `root     ${String(p.pid).padStart(7)} ${String(p.ppid ?? parentOf(p.pid)).padStart(7)}  0 09:00 ${tty(p).padEnd(8)} ${cumulativeTime(p.time)} ${p.command}\n`
        )
        return {
          stdout: `UID          PID    PPID  C STIME TTY          TIME CMD\n${rows.join('')}`,
          stderr: '',
          exitCode: 0
        }
      }
      if (mode === '-e' || mode === '-A') {
        const rows = procs.map(
          (p) =>
            `${String(p.pid).padStart(7)} ${tty(p).padEnd(8)} ${cumulativeTime(p.time)} ${(p.command.split(' ')[0] ?? '').split('/').pop() ?? ''}\n`
        )
        return { stdout: `    PID TTY          TIME CMD\n${rows.join('')}`, stderr: '', exitCode: 0 }
      }
      const rows = procs.map(
        (p) => `${String(p.pid).padStart(7)} ${tty(p).padEnd(8)} ${p.stat.padEnd(6)} ${p.time} ${p.command}\n`
      )
      return { stdout: `    PID TTY      STAT   TIME COMMAND\n${rows.join('')}`, stderr: '', exitCode: 0 }
    }
    default:
      return {
        stdout: '',
        stderr: `error: unsupported option (BSD syntax)\n\nUsage:\n ps [options]\n\n Try 'ps --help <simple|list|output|threads|misc|all>'\n  or 'ps --help <s|l|o|t|m|a>'\n for additional help text.\n\nFor more details see ps(1).\n`,
        exitCode: 1
      }
  }
}

const SS_USAGE = 'Usage: ss [ OPTIONS ]\n       ss [ OPTIONS ] [ FILTER ]\n'

export const ssCommand: Command = {
  name: 'ss',
  notInBusybox: true,
  summary: 'list sockets: ss -tlnp (TCP listeners), -u for UDP',
  run(argv, ctx) {
    const r = getopt('ss', argv, {
      short: 'tulnpa46',
      long: {
        ipv4: { key: '4', arg: false },
        ipv6: { key: '6', arg: false },
        tcp: { key: 't', arg: false },
        udp: { key: 'u', arg: false },
        listening: { key: 'l', arg: false },
        numeric: { key: 'n', arg: false },
        processes: { key: 'p', arg: false },
        all: { key: 'a', arg: false }
      }
    })
    if (!r.ok) return { stdout: '', stderr: `${r.message}\n${SS_USAGE}`, exitCode: 255 }
    const o = r.value
    const tcp = has(o, 't') || !has(o, 'u')
    const udp = has(o, 'u')
    const ns = ctx.lab.netns.get(ctx.target.netns)
    // The lab's sockets are all listeners (apps); without -l/-a ss shows connected ones only.
    const listening = has(o, 'l') || has(o, 'a')
    // Every socket of the lab is IPv4: its apps bind 0.0.0.0 or an IPv4 address.
    const ipv6Only = has(o, '6') && !has(o, '4')
    const sockets =
      listening && !ipv6Only ? (ns?.sockets ?? []).filter((s) => (s.proto === 'tcp' ? tcp : udp)) : []
    const pod = podOf(ctx)
    const service = (port: number, proto: 'tcp' | 'udp'): string =>
      has(o, 'n') ? String(port) : (serviceName(port, proto) ?? String(port))
    const rows = sockets.map((s) => {
      let process = ''
      if (has(o, 'p')) {
        let pid: number | undefined = s.pid
        if (pod && !pod.hostNetwork) {
          // Inside the pod ss sees only its own PID namespace: other containers' processes
          // have no /proc entry there, unless the pod shares one PID namespace.
          const owner = pod.containers.find((c) => c.process.hostPid === s.pid)
          const visible = owner && (pod.shareProcessNamespace || owner.name === ctx.target.container)
          pid = visible ? owner.process.pid : undefined
        }
        if (pid !== undefined) process = `users:(("${s.processName}",pid=${pid},fd=3))`
      }
      return {
        netid: s.proto,
        state: s.proto === 'tcp' ? 'LISTEN' : 'UNCONN',
        recvQ: '0',
        sendQ: s.proto === 'tcp' ? '128' : '0',
        addr: s.addr === 0 ? '0.0.0.0' : formatIpv4(s.addr),
        port: service(s.port, s.proto),
        process
      }
    })
    const showNetid = tcp && udp
    const stateW = Math.max(5, ...rows.map((x) => x.state.length))
    const addrW = Math.max(13, ...rows.map((x) => x.addr.length))
    const portW = Math.max(4, ...rows.map((x) => x.port.length))
    const peerW = 12
    const head = `${showNetid ? 'Netid ' : ''}${'State'.padEnd(stateW)} Recv-Q Send-Q ${'Local Address'.padStart(addrW)}:${'Port'.padEnd(portW)} ${'Peer Address'.padStart(peerW)}:${'Port'}Process\n`
    const body = rows
      .map((x) => {
        const proc = x.process === '' ? ' '.repeat(10) : `    ${x.process}`
        return `${showNetid ? `${x.netid.padEnd(5)} ` : ''}${x.state.padEnd(stateW)} ${x.recvQ.padEnd(6)} ${x.sendQ.padEnd(6)} ${x.addr.padStart(addrW)}:${x.port.padEnd(portW)} ${'0.0.0.0'.padStart(peerW)}:*${proc}\n`
      })
      .join('')
    return { stdout: head + body, stderr: '', exitCode: 0 }
  }
}
