/**
 * The contract every shell command implements (`ip`, `ping`, `kubectl`, `grep`, ...).
 *
 * A command is a pure function of its argv and a context: it reads (and, for mutations such
 * as `ip link set cni0 down`, changes) the lab, and returns what a real process would leave
 * behind — stdout, stderr and an exit status. The shell language (pipes, `;`, `&&`, loops)
 * lives in `shell.ts` and only ever talks to commands through this interface, so a command
 * never parses quotes or pipes itself and never sees another command's argv.
 *
 * Ownership: sim core implements the state-display commands (`ip`, `bridge`, `iptables`,
 * `iptables-save`, `conntrack`, `sysctl`, `nft`, `ipvsadm`) in `commands/<name>.ts`, each
 * exporting one `Command`; the shell helper lists them in `commands/index.ts`.
 *
 * NOTE(sim core), found while checking the traffic commands against real tools (the shell
 * works around none of them silently; tcpdump recomputes wire lengths from the bytes it writes):
 *  - ICMP errors quote only IP header + 8 bytes (`ip.length` 56 for a SYN); Linux's icmp_send
 *    quotes up to 576 bytes, so a real capture shows "tcp port 81 unreachable, length 68".
 *  - The kernel's RST for a closed port carries window 0 (`Flags [R.], seq 0, ack N, win 0`).
 *  - ping's default (-M want) sends ProbeSpec.dontFragment undefined, which the engine treats as
 *    DF; "want" should fragment an oversized echo locally instead of failing with EMSGSIZE.
 *
 * Errors: print exactly what the real tool prints to stderr and return its exit code; throw
 * only for bugs (the shell turns a thrown error into `NAME: internal error` exit 1, and the
 * fuzz test fails on any).
 */

import type { Lab } from '../kube/lab.ts'
import type { Environment } from '../kube/container-env.ts'
import { commandExistsOn } from './dialect.ts'

/** Where a command line runs: what the learner picked in the terminal's target menu. */
export type TargetKind = 'node' | 'pod' | 'container' | 'external'

export interface Target {
  readonly kind: TargetKind
  /** The name as typed: `node-1`, `web-1`, `web-1/app`, `laptop`. */
  readonly name: string
  /** The node hosting the target (the node itself for kind `node`); absent for external hosts. */
  readonly node?: string
  /** Pod name for kinds `pod` and `container`. */
  readonly pod?: string
  /** Kubernetes namespace of the pod (`default` unless the scenario says otherwise). */
  readonly namespace?: string
  /**
   * Container for kind `container`. For kind `pod` this is the pod's first app container,
   * as `kubectl exec` without `-c` picks it, so `ps` and `hostname` know whose view to show.
   */
  readonly container?: string
  /** Path id of the network namespace the command sees (`node-1`, `web-1`, `laptop`). */
  readonly netns: string
  /** What `hostname` prints: node name, pod name (the pod's UTS namespace) or host name. */
  readonly hostname: string
  /** The image of `container`, which decides the shell the terminal runs. */
  readonly image?: string
}

/** What a finished process leaves behind. Output strings end with `\n` as real tools' do. */
export interface CommandOutput {
  readonly stdout: string
  readonly stderr: string
  /** 0 success; the real tool's code otherwise (ping 1/2, curl 7/28, grep 1/2, bash 127/2). */
  readonly exitCode: number
  /**
   * The order the two streams were written in, when a tool interleaves them (ping's local
   * errors between its lines, curl -v around the body). A terminal replays this order; absent
   * means all of stdout, then all of stderr.
   */
  readonly chunks?: readonly { readonly stream: 'stdout' | 'stderr'; readonly text: string }[]
}

/** Collects a tool's output in the order it is written. */
export class OutputBuilder {
  stdout = ''
  stderr = ''
  readonly chunks: { stream: 'stdout' | 'stderr'; text: string }[] = []

  out(text: string): void {
    this.#push('stdout', text)
  }

  err(text: string): void {
    this.#push('stderr', text)
  }

  #push(stream: 'stdout' | 'stderr', text: string): void {
    if (text === '') return
    if (stream === 'stdout') this.stdout += text
    else this.stderr += text
    const last = this.chunks[this.chunks.length - 1]
    if (last && last.stream === stream) last.text += text
    else this.chunks.push({ stream, text })
  }

  result(exitCode: number): CommandOutput {
    return { stdout: this.stdout, stderr: this.stderr, exitCode, chunks: this.chunks }
  }
}

export interface CommandContext {
  /** The world; commands may mutate it (links down, rules flushed, pods deleted). */
  readonly lab: Lab
  readonly target: Target
  /** The previous pipeline stage's stdout; `''` when the command is not piped into. */
  readonly stdin: string
  /** stdin was redirected from a directory: open(2) took it, every read(2) fails with EISDIR. */
  readonly stdinIsDirectory?: true
  /**
   * Store a file the command wrote (`tcpdump -w FILE`). The caller decides where bytes go:
   * the CLI writes them to disk, the app offers a download. Core never touches a filesystem.
   */
  readonly writeFile: (path: string, data: Uint8Array) => void
  /**
   * A file written earlier in this terminal (`ping … > out.txt`, `tcpdump -w x.pcap`), by
   * absolute path; undefined when none. Files the lab derives (`/etc/hosts`) are not here.
   */
  readonly readFile: (path: string) => Uint8Array | undefined
  /**
   * Run a full command line on another target, as `kubectl exec POD -- CMD` does. Provided
   * by the shell so commands can nest without importing it. With `environment` the line's
   * shell starts with it (`sh -c` inherits what its parent exported) instead of the target's.
   * With `script` the line is a script `bash -c` or `sh -c` runs, whose messages say so.
   */
  readonly runOn: (
    target: Target,
    line: string,
    environment?: Environment,
    script?: ScriptShell
  ) => CommandOutput
  /** What the shell running the command exported; absent where no shell runs it. */
  readonly environment?: Environment
  /** Resolve a name as the CLI's `--on` accepts it; undefined when nothing has that name. */
  readonly resolveTarget: (name: string) => Target | undefined
  /**
   * Count one probe against the line's packet limit (SHELL_LIMITS.linePackets) before sending
   * it; past the limit it throws and the shell ends the line with its message. Absent where no
   * shell runs the command.
   */
  readonly countPacket?: () => void
  /**
   * The signal `timeout` sends, when the command runs under one. A command that lets lab time
   * pass stops at that moment as the real tool does on that signal (`waitFor`), with only what
   * it had printed by then.
   */
  readonly pendingSignal?: PendingSignal
}

/**
 * A signal `timeout` can send, by the name `timeout -v` prints; KILL is the one no process can
 * catch, EXIT (0) delivers nothing.
 */
export type TimeoutSignal =
  | 'EXIT'
  | 'HUP'
  | 'INT'
  | 'QUIT'
  | 'ILL'
  | 'TRAP'
  | 'ABRT'
  | 'BUS'
  | 'FPE'
  | 'KILL'
  | 'USR1'
  | 'SEGV'
  | 'USR2'
  | 'PIPE'
  | 'ALRM'
  | 'TERM'
  | 'STKFLT'
  | 'CHLD'
  | 'CONT'
  | 'STOP'
  | 'TSTP'
  | 'TTIN'
  | 'TTOU'
  | 'URG'
  | 'XCPU'
  | 'XFSZ'
  | 'VTALRM'
  | 'PROF'
  | 'WINCH'
  | 'POLL'
  | 'PWR'
  | 'SYS'
  | 'RTMIN'
  | 'RTMAX'
  | `RTMIN+${number}`
  | `RTMAX-${number}`

export interface PendingSignal {
  /** Lab time (ms) at which it arrives. */
  readonly atMs: number
  readonly signal: TimeoutSignal
  /** Set once the command let lab time pass up to it. */
  arrived: boolean
}

export interface Command {
  /** The executable name looked up on the command line. */
  readonly name: string
  /** One line for `help`. */
  readonly summary: string
  /** Words that may follow the name, for completion (`ip` → `addr`, `link`, `route`, ...). */
  readonly subcommands?: readonly string[]
  /**
   * Targets the command exists on. Busybox pods have no `iptables`, external hosts no
   * `kubectl`; absent means everywhere. On other targets the shell answers
   * `sh: NAME: not found` / `bash: NAME: command not found` exactly as a missing binary would.
   */
  readonly availableOn?: readonly TargetKind[]
  /**
   * BusyBox has no applet of this name (curl, tcpdump): a busybox container answers
   * `sh: NAME: not found` as the real image does.
   */
  readonly notInBusybox?: true
  /**
   * The command puts packets on the wire (ping, curl, traceroute). The shell then starts a new
   * capture batch before the line runs, so `tcpdump` afterwards shows that line's packets.
   */
  readonly sendsTraffic?: boolean
  run(argv: readonly string[], ctx: CommandContext): CommandOutput
  /**
   * Start the command as a process that lives on after this call (a capture that prints frames
   * as other lines create them). The shell uses it for jobs (`&`, `timeout`) and for a
   * terminal's foreground; elsewhere `run` answers at once. Returns the output instead when the
   * command ends before it starts listening (a usage error).
   */
  spawn?(argv: readonly string[], ctx: CommandContext, io: ProcessIo): LiveProcess | CommandOutput
}

/** Where a running process writes, and how it says it is done. Never throws. */
export interface ProcessIo {
  write(stream: 'stdout' | 'stderr', text: string): void
  exit(code: number): void
}

/** A signal the lab's processes understand: Ctrl+C, and `kill`'s and `timeout`'s default. */
export type Signal = 'INT' | 'TERM'

export interface LiveProcess {
  /** Deliver a signal; the process writes its last words and exits (or has already exited). */
  signal(sig: Signal): void
}

/** Command lookup by name; the shell, `help` and completion all read the same registry. */
export class CommandRegistry {
  readonly #byName = new Map<string, Command>()

  constructor(commands: readonly Command[]) {
    for (const command of commands) {
      if (this.#byName.has(command.name)) {
        throw new Error(`command registered twice: ${command.name}`)
      }
      this.#byName.set(command.name, command)
    }
  }

  get(name: string): Command | undefined {
    return this.#byName.get(name)
  }

  /** Commands that exist on a target, sorted by name. */
  list(target?: Pick<Target, 'kind' | 'image'>): Command[] {
    return [...this.#byName.values()]
      .filter((c) => target === undefined || commandExistsOn(c, target))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }
}

/** What the terminal offers on Tab, for one target. */
export interface CompletionData {
  readonly commands: readonly string[]
  /** Command name → its subcommands. */
  readonly subcommands: Readonly<Record<string, readonly string[]>>
  /** Link names in the target's network namespace (`eth0`, `cni0`, `flannel.1`, ...). */
  readonly devices: readonly string[]
  /** Pod names (for kubectl), then node and external host names. */
  readonly pods: readonly string[]
  readonly nodes: readonly string[]
  readonly services: readonly string[]
}

/** Build a result; most commands finish with one of these. */
export function ok(stdout: string): CommandOutput {
  return { stdout, stderr: '', exitCode: 0 }
}

export function fail(stderr: string, exitCode: number, stdout = ''): CommandOutput {
  return { stdout, stderr, exitCode }
}

/**
 * A shell running a `-c` script: bash, or dash (Debian's /bin/sh), whose messages begin with
 * its `$0` and the script's line.
 */
export interface ScriptShell {
  readonly program: 'bash' | 'dash'
  readonly name: string
}
