import type { Scenario } from '../../src-main/core/scenario/scenario.schema.ts'
import type { Output } from './real-lab.ts'
import type { Step } from './steps.ts'

/**
 * Masks only what is random by nature or an artefact of the lab's own wiring, so that
 * everything else must match byte for byte. Both sides go through the same function.
 *
 * Not masked: MACs and veth names (the real lab is built with the simulator's own), ifindexes,
 * link-netnsids of pods, addresses, TTLs, lengths, flags, rule text, exit codes.
 */
export interface NormaliseContext {
  /** Ports that mean something (Service, target, node and VXLAN ports); any other is ephemeral. */
  knownPorts: Set<number>
}

export function contextFor(s: Scenario): NormaliseContext {
  const known = new Set<number>([s.cluster.cni.port])
  for (const svc of s.services) {
    for (const p of svc.ports) {
      known.add(p.port)
      if (typeof p.targetPort !== 'string') known.add(p.targetPort ?? p.port)
      known.add(p.port + 1) // the conformance steps' "wrong port"
      if (p.nodePort) known.add(p.nodePort)
    }
  }
  for (const pod of s.pods) for (const c of pod.containers) if (c.port) known.add(c.port)
  return { knownPorts: known }
}

function port(ctx: NormaliseContext, p: string): string {
  return ctx.knownPorts.has(Number(p)) ? p : '<port>'
}

function sortLines(text: string): string {
  const lines = text.split('\n')
  const last = lines[lines.length - 1] === '' ? lines.pop() : undefined
  lines.sort()
  return lines.join('\n') + (last === undefined ? '' : '\n')
}

const cmdName = (run: string): string => run.trim().split(/\s+/)[0] ?? ''

/** `underlayHost`: the command ran on a node, external host or router (whose eth0 is the lab's veth). */
export function normaliseOutput(
  step: Pick<Step, 'run'> & { randomBackends?: string[] },
  out: Output,
  ctx: NormaliseContext,
  underlayHost: boolean
): string {
  const tool = cmdName(step.run)
  const norm = (text: string): string => {
    let t = text
    switch (tool) {
      case 'ping':
        t = t
          .replace(/time=[\d.]+ ms/g, 'time=<t> ms')
          .replace(/, time \d+ms/g, ', time <t>ms')
          .replace(/^rtt min\/avg\/max\/mdev = [\d./]+ ms$/gm, 'rtt min/avg/max/mdev = <rtt> ms')
        break
      case 'traceroute':
        t = t.replace(/ {2}(?:[\d.]+ ms|\*)(?= |$)/gm, (m) => (m.includes('*') ? m : '  <t> ms'))
        break
      case 'curl':
        t = t
          .replace(/after \d+ ms/g, 'after <t> ms')
          .replace(/after \d+ milliseconds/g, 'after <t> milliseconds')
        break
      case 'wget':
        // Dates, download rates and times: GNU Wget's log lines, from the wall clock.
        t = t
          .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, '<date>')
          .replace(/ +[\d.]+[ KMG]=[\d.]+s$/gm, ' <rate>=<t>s')
          .replace(/\([\d.]+ [KMG]?B\/s\)/g, '(<rate>)')
          .replace(/^Total wall clock time: .*$/gm, 'Total wall clock time: <t>')
        break
      case 'tcpdump':
        t = t
          .replace(/^\d\d:\d\d:\d\d\.\d{6} /gm, '<ts> ')
          // -ttt: the time since the previous packet, to a tenth of a second (a kernel timer
          // fires some milliseconds late; a retransmission's second shows).
          .replace(/^ (\d\d:\d\d:\d\d\.\d)\d{5} /gm, ' $1 ')
          .replace(/(echo (?:request|reply)), id \d+/g, '$1, id <id>')
          .replace(/\bid \d+, offset/g, 'id <ipid>, offset')
          // Initial sequence numbers are random; tcpdump's relative ones (after the handshake,
          // a few digits in the lab's short connections) are compared.
          .replace(/seq \d+(:\d+)?, /g, (m) => (/^seq \d{1,3}(:\d{1,3})?, $/.test(m) ? m : 'seq <seq>, '))
          .replace(/ack \d+,/g, (m) => (/^ack \d{1,3},$/.test(m) ? m : 'ack <ack>,'))
          // After the handshake the window field is scaled by the window scale below, so it is
          // as machine-dependent as the scale (64 on this kernel's wscale 10, 507 on wscale 7).
          .replace(/^(.*Flags \[[^\]SR]*\].*, win )\d+/gm, '$1<scaled>')
          .replace(/TS val \d+ ecr \d+/g, (m) =>
            m.endsWith(' ecr 0') ? 'TS val <ts> ecr 0' : 'TS val <ts> ecr <ts>'
          )
          // A complete checksum covers the random sequence numbers and timestamps; the one a
          // socket leaves to the device covers the addresses and the length alone, and is compared.
          .replace(/cksum 0x[0-9a-f]+(?![0-9a-f]| \(incorrect)/g, 'cksum <cksum>')
          .replace(/\(incorrect -> 0x[0-9a-f]+\)/g, '(incorrect -> <cksum>)')
          // The window scale follows tcp_rmem's maximum, which the kernel sizes from the
          // machine's RAM: machine-dependent, not a property of the lab.
          .replace(/wscale \d+/g, 'wscale <ws>')
          // With -c N the kernel goes on counting matching packets until tcpdump has closed its
          // socket, so a packet that happens to arrive in that last millisecond raises "received
          // by filter" above "captured". Compared: that it is at least the captured count.
          .replace(
            /^((\d+) packets? captured\n)(\d+) (packets? received by filter)$/m,
            (m, line: string, captured: string, received: string, rest: string) =>
              Number(received) >= Number(captured) ? `${line}<≥ captured> ${rest}` : m
          )
          .replace(
            /(\d+\.\d+\.\d+\.\d+)\.(\d+)(?=[ :>])/g,
            (_m, ip: string, p: string) => `${ip}.${port(ctx, p)}`
          )
          // Which end sends the first FIN is a race: curl closes once it has the whole body, the
          // Python server once it has written it, and real runs show either. So is whether the
          // other end acks that FIN with its own FIN or first with a bare ACK (then `-c 10` ends
          // the capture at the second FIN), or closes at the same moment: its FIN crosses the
          // first one and its ACK follows (then `-c 10` ends the capture before the last ACK).
          // What is compared is the shape: a FIN from one end, then the other end's
          // acknowledgement and FIN, then the capture's end or the last ACK.
          .replace(
            /^<ts> IP (\S+) > (\S+): Flags \[F\.\], [^\n]*length 0\n(?:<ts> IP \2 > \1: Flags \[F\.\], [^\n]*length 0\n<ts> IP (?:\1 > \2|\2 > \1): Flags \[\.\], [^\n]*length 0|<ts> IP \2 > \1: Flags \[\.\], [^\n]*length 0\n<ts> IP \2 > \1: Flags \[F\.\], [^\n]*length 0)$/m,
            (_m, a: string, b: string) => `<ts> teardown begun by one of ${[a, b].sort().join(' and ')}`
          )
        break
      case 'conntrack':
        t = t
          .replace(/^(\w+)( +)(\d+) (\d+) /gm, '$1$2$3 <timeout> ')
          .replace(/\b(sport|dport)=(\d+)/g, (_m, k: string, p: string) => `${k}=${port(ctx, p)}`)
          .replace(/\bid=\d+/g, 'id=<id>')
        t = sortLines(t)
        break
      case 'iptables-save':
        t = t
          .replace(/^# (Generated by|Completed on) (.*?) on .*$/gm, '# $1 $2 on <date>')
          .replace(/^# Completed on .*$/gm, '# Completed on <date>')
        break
      case 'nft':
        t = t.replace(/counter packets \d+ bytes \d+/g, 'counter packets <n> bytes <n>')
        break
      case 'ip':
        // The lab's eth0 on nodes and external hosts is a veth into the underlay switch, not a
        // NIC: it prints `@ifN`, a link-netnsid and veth details a real NIC has not.
        if (underlayHost)
          t = t
            .replace(
              /^(\d+: eth0)@if\d+:(.*)$(\n\s+link\/ether \S+ brd \S+) link-netnsid \d+/gm,
              (m, a: string, b: string, c: string) => (b.includes('master') ? m : `${a}:${b}${c}`)
            )
            // `ip -br` pads the name column: the mask keeps the columns where they are.
            .replace(/^eth0@if\d+ +/gm, (m) => 'eth0'.padEnd(m.length))
        t = t.replace(/numtxqueues \d+ numrxqueues \d+/g, 'numtxqueues <cpus> numrxqueues <cpus>')
        // Bridge timers count down in real time.
        t = t.replace(
          /\b(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer) +[\d.]+/g,
          '$1 <t>'
        )
        if (/^ip (-\S+ )*neigh/.test(step.run)) {
          // Dumped in hash order; transient NUD states follow the kernel's randomised
          // reachable time (base_reachable_time 30 s, drawn from 15-45 s) and delay timers.
          t = sortLines(t.replace(/ (REACHABLE|STALE|DELAY|PROBE) $/gm, ' <REACHABLE|STALE|DELAY|PROBE> '))
        }
        break
      case 'bridge':
        // A VXLAN device's FDB is dumped in hash-table order (hashed MACs; on recent kernels an
        // rhashtable with a random seed). A bridge's own FDB dumps its list: compared as is.
        if (/\bdev flannel\.\d+/.test(step.run)) t = sortLines(t)
        break
    }
    return t
  }
  let stdout = norm(out.stdout)
  const stderr = norm(out.stderr)
  if (step.randomBackends && step.randomBackends.includes(stdout.trim())) stdout = '<one of the backends>\n'
  return `${stdout}--- stderr\n${stderr}--- exit ${out.exitCode}\n`
}
