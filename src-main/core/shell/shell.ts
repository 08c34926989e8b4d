/**
 * Runs command lines on a target the way its shell would: bash on nodes, external hosts and the
 * lab's Debian-based images, BusyBox `sh` in a `busybox` container (the dialect decides error
 * prefixes such as `bash: foo: command not found` versus `sh: foo: not found`).
 *
 * One `ShellSession` is one terminal: it remembers `$?`, variables and files written with
 * `>` for the lines typed into it.
 */

import type {
  Command as RegisteredCommand,
  CommandContext,
  CommandOutput,
  CommandRegistry,
  PendingSignal,
  ScriptShell,
  TimeoutSignal,
  Target
} from './command.ts'
import type { Lab } from '../kube/lab.ts'
import { advanceClock } from '../engine/probe.ts'
import { refillIcmpBuckets } from '../linux/icmp-rate-limit.ts'
import { utf8Length } from '../net/utf8.ts'
import { randomInt } from '../net/index.ts'
import { terminalShell } from './processes.ts'
import { nextBashRandom, randomSeedOf, seededBashRandom, type BashRandom } from './bash-random.ts'
import { commandText, Job, jobLine, JobTable, Proc, type OutputChunk } from './jobs.ts'
import { formatSize, LineBudgetExceeded, newLineBudget, SHELL_LIMITS, type LineBudget } from './limits.ts'
import { parseLine, ShellSyntaxError, ShellUnsupportedError } from './parser.ts'
import { parseKill } from './kill-builtin.ts'
import { readVirtualFile } from './virtual-files.ts'
import { commandExistsOn, dialectOf, type ShellDialect } from './dialect.ts'
import { swapDotsAndSlashes, writeSysctl } from '../linux/sysctl.ts'
import {
  defaultAction,
  killedStatus,
  parseTimeout,
  signalDescription,
  type TimeoutSpec
} from './timeout-signal.ts'
import { ExportedVariables, startingEnvironment, terminalEnvironment } from './shell-environment.ts'
import { fnv1 } from './export-order.ts'
import { findInPath, toolPaths } from './tool-paths.ts'
import type { Environment } from '../kube/container-env.ts'
import type {
  AndOr,
  Command,
  ForCommand,
  List,
  Pipeline,
  Redirect,
  SimpleCommand,
  Word,
  WordPart
} from './parser.ts'

/**
 * The prompt the terminal shows before each line, as the real shell prints it. A container
 * starts in its image's working directory (`/`), a login on a node in root's home.
 */
export function promptFor(target: Target): string {
  if (dialectOf(target) === 'busybox') return '/ # '
  return `root@${target.hostname}:${inContainer(target) ? '/' : '~'}# `
}

function inContainer(target: Target): boolean {
  return target.kind === 'pod' || target.kind === 'container'
}

/** The working directory relative paths resolve against (where the prompt says we are). */
function homeOf(target: Target): string {
  return inContainer(target) ? '/' : '/root'
}

export type { OutputChunk }

/**
 * A tool the line asked for that this shell lacks but other shells of the lab have (kubectl in
 * a pod). It is the lab's own note for the learner, kept apart from the output: a real shell
 * prints only `not found`, and the note must never pass for part of it.
 */
export interface ToolElsewhere {
  readonly command: string
  /** The lab's shells that have it, nodes first, as the terminal's tabs name them. */
  readonly targets: string[]
}

/** A line's result: the two streams, plus their interleaving for a terminal to replay. */
export interface ShellResult extends CommandOutput {
  readonly chunks: readonly OutputChunk[]
  /** Set when a command was not found here but exists elsewhere in the lab. */
  readonly elsewhere?: ToolElsewhere
  /**
   * A live terminal's line waits on its foreground process or on `wait`: `exitCode` is not
   * known yet, and `settle` reports the rest of the line's output and its end.
   */
  readonly running?: true
}

/** A job that ended: the command `jobs` named it by, all it printed, and its status. */
export interface EndedJob {
  readonly command: string
  readonly output: string
  readonly exitCode: number
}

/** What a live terminal printed since it was last asked, and its line's end if it came. */
export interface Settled {
  readonly chunks: readonly OutputChunk[]
  /** Set once the waiting line ended (its foreground process exited, or Ctrl+C ended `wait`). */
  readonly ended?: { readonly exitCode: number }
  /**
   * Jobs (`&`, or stopped with Ctrl+Z) whose process ended since the last call, wherever it
   * ended: a lesson counts them as commands that ran, since no line of their own ends with them.
   */
  readonly jobsEnded?: readonly EndedJob[]
}

/**
 * A terminal a person watches, as opposed to a script or the CLI: a foreground process runs
 * until it ends or Ctrl+C, and `timeout` counts wall time as well as lab time.
 */
export interface LiveTerminal {
  /** Call `fire` after `ms` of wall time; returns the cancel. The core keeps no timers itself. */
  schedule(ms: number, fire: () => void): () => void
}

/** The note's English wording, for the CLI; the app words it in the learner's language. */
export function describeToolElsewhere(note: ToolElsewhere): string {
  return `${note.command} is not installed in this shell; in this lab it runs on ${note.targets.join(', ')}`
}

export interface ShellEnv {
  readonly lab: Lab
  readonly registry: CommandRegistry
  readonly resolveTarget: (name: string) => Target | undefined
  /** Receives files commands write (`tcpdump -w`); the CLI puts them on disk. */
  readonly writeFile?: (path: string, data: Uint8Array) => void
  /** What all terminals of the lab keep; a session without one keeps its own. */
  readonly storage?: LabStorage
  /** Set for a terminal a person watches (the app's terminals); absent for scripts and the CLI. */
  readonly live?: LiveTerminal
}

/**
 * The bytes a lab's terminals keep in files and variables between lines, shared by every
 * session of the lab so that opening more terminals cannot multiply SHELL_LIMITS.labStorageBytes.
 */
export class LabStorage {
  used = 0
  /**
   * Written files by filesystem: a host's or a container's disk, which every terminal on it
   * sees, so a file a `setup:` line wrote is there in the learner's terminals too.
   */
  readonly #disks = new Map<string, Map<string, StoredFile>>()
  /** The next process id `&` prints, one sequence for the lab as the kernel's is per host. */
  nextPid = 3100
  /** Processes that keep running (captures), against SHELL_LIMITS.labProcesses. */
  processes = 0
  /** Running jobs and foreground processes by PID namespace and pid: what `kill PID` reaches from any terminal. */
  readonly pids = new Map<string, Job>()

  filesOf(target: Target): Map<string, StoredFile> {
    // A pod's own name stands for its first app container, which `web-1/app` names too.
    const disk = target.pod === undefined ? target.name : `${target.pod}/${target.container ?? ''}`
    const files = this.#disks.get(disk) ?? new Map<string, StoredFile>()
    this.#disks.set(disk, files)
    return files
  }
}

/** A command's arguments grew past ARG_MAX while they were expanded; `command` is its first field. */
class ArgumentsTooLong extends Error {
  command: string | undefined
}

/** `tcpdump -w` asked to keep a file beyond a cap; the command fails with `message`. */
class FileRefused extends Error {}

/** The longest prefix of `text` that fits `maxBytes` of UTF-8, never splitting a character. */
function clipUtf8(text: string, maxBytes: number): { text: string; bytes: number } {
  let bytes = 0
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    const pair = c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3
    if (bytes + size > maxBytes) break
    bytes += size
    i += pair ? 2 : 1
  }
  return { text: text.slice(0, i), bytes }
}

/**
 * A file written in a terminal. Text written with `>`/`>>` stays a string, so appending is
 * cheap; bytes (`tcpdump -w`) stay bytes; each form is made from the other once, when read.
 */
class StoredFile {
  #text: string | undefined
  #bytes: Uint8Array | undefined

  constructor(
    content: string | Uint8Array,
    /** Size in bytes. */
    public size: number
  ) {
    if (typeof content === 'string') this.#text = content
    else this.#bytes = content
  }

  text(): string {
    return (this.#text ??= decoder.decode(this.#bytes))
  }

  bytes(): Uint8Array {
    return (this.#bytes ??= encoder.encode(this.#text))
  }

  append(text: string, bytes: number): void {
    this.#text = this.text() + text
    this.#bytes = undefined
    this.size += bytes
  }
}

/** Where one descriptor of a command goes. */
type Dest =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'stderr' }
  | { readonly kind: 'null' }
  | { readonly kind: 'file'; readonly path: string; readonly append: boolean }
  /** A file under /proc/sys: each write sets the namespace's sysctl, appended or not. */
  | { readonly kind: 'sysctl'; readonly path: string; readonly key: string }

/** A command's descriptors once its redirections are open: a file or here-document it reads. */
interface Fds {
  readonly out: Dest
  readonly err: Dest
  readonly input?: string
  readonly hereDoc?: string
}

/** One run of a command: whose writes a compound command's redirection refuses, each run apart. */
interface Writer {
  readonly name: string
}

class Sink {
  readonly chunks: OutputChunk[] = []
  /** The run that wrote each chunk, when a command did. */
  readonly writers: (Writer | undefined)[] = []
  size = 0
  push(stream: 'stdout' | 'stderr', text: string, writer?: Writer): void {
    if (text === '') return
    this.size += text.length
    if (this.size > SHELL_LIMITS.lineOutputBytes) throw new LineBudgetExceeded('output')
    const at = this.chunks.length - 1
    const last = this.chunks[at]
    if (last && last.stream === stream && this.writers[at] === writer)
      this.chunks[at] = { stream, text: last.text + text }
    else {
      this.chunks.push({ stream, text })
      this.writers.push(writer)
    }
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** What write(2) of a value a sysctl refuses reports (EINVAL). */
const WRITE_EINVAL = 'write error: Invalid argument\n'
/** The commands bash runs itself, whose errors carry its prefix. */
const BUILTIN_WRITERS = new Set(['echo', 'printf', 'kill', 'pwd', 'type', 'jobs'])

export class ShellSession {
  #lastExit = 0
  readonly #vars = new Map<string, string>()
  readonly #exported: ExportedVariables
  /**
   * A login bash on a node, or the bash `kubectl exec -it` starts in a pod, exports `_`; a
   * line `env` or `sh -c` runs from it gets theirs handed down (dash sets none), and a command
   * `kubectl exec` runs without a terminal, exec'd directly by runc, has no bash.
   */
  readonly #exportsUnderscore: boolean
  readonly #files: Map<string, StoredFile>
  /**
   * What the current top-level line has used (SHELL_LIMITS), shared with the sessions
   * `kubectl exec` and `sh -c` open from it, so nesting cannot multiply the limits.
   */
  readonly #budget: LineBudget
  readonly #nested: boolean
  readonly #storage: LabStorage
  /** The first registered tool this line found missing here (reset per top-level line). */
  #missingTool: RegisteredCommand | undefined
  readonly #jobs = new JobTable()
  /** What a live terminal's line waits on, and where the line goes on from. */
  #waiting: Waiting | undefined
  /** Jobs whose process ended since `settle` or `takeJobsEnded` last told of them. */
  #jobsEnded: EndedJob[] = []
  /** The signal of the `timeout` the running command is under, which nested sessions inherit. */
  #pendingSignal: PendingSignal | undefined
  /** Started by a command of another shell (`sh -c`), whose child it is, not by a terminal. */
  readonly #startedByCommand: boolean
  /**
   * `NAME=VALUE cmd`'s assignments while cmd runs: in its environment only, in the order bash's
   * temporary-environment hash table lists them.
   */
  #commandEnvironment: Environment = []
  /** The `-c` script this session runs, if a `bash -c` or Debian's `sh -c` started it. */
  readonly #script: ScriptShell | undefined
  /** The line the session runs (a script, for a `-c` session), and of it the running command's. */
  #source = ''
  #line = 1
  /** The prefix assignments made so far while the next one expands (`A=1 B=$A cmd`). */
  #assigning: ReadonlyMap<string, string> | undefined
  /** bash's own generator once `RANDOM=N` seeds it; until then RANDOM draws from the lab's. */
  #random: BashRandom | undefined
  /**
   * How many subshells (`$(…)`, a stage of a pipeline) the running command is inside: bash
   * reseeds RANDOM in each, so they neither repeat nor advance the seeded sequence.
   */
  #subshells = 0

  constructor(
    readonly env: ShellEnv,
    readonly target: Target,
    parent?: {
      readonly budget: LineBudget
      readonly storage: LabStorage
      readonly pendingSignal?: PendingSignal | undefined
      /** What the parent exported, for a shell it starts on its own target (`sh -c`). */
      readonly environment?: Environment | undefined
      readonly script?: ScriptShell | undefined
    }
  ) {
    this.#budget = parent?.budget ?? newLineBudget()
    this.#pendingSignal = parent?.pendingSignal
    this.#nested = parent !== undefined
    this.#storage = parent?.storage ?? env.storage ?? new LabStorage()
    this.#files = this.#storage.filesOf(target)
    const environment =
      parent?.environment ??
      (parent === undefined ? terminalEnvironment(env.lab, target) : startingEnvironment(env.lab, target))
    this.#exported = new ExportedVariables(environment)
    const bash = this.#dialect() === 'bash'
    this.#exportsUnderscore =
      parent?.environment === undefined && (target.kind === 'node' || (parent === undefined && bash))
    for (const [name, value] of environment) this.#startWith(name, value)
    // Set by the shell itself but not exported: bash takes HOSTNAME from gethostname(2), and
    // both shells PWD from where they start.
    if (bash) this.#startWith('HOSTNAME', target.hostname)
    this.#startWith('PWD', homeOf(target))
    this.#startedByCommand = parent?.environment !== undefined
    // BusyBox sh words a script's messages as its terminal's.
    this.#script = bash ? parent?.script : undefined
    if (bash) this.#startWith('BASH_VERSION', BASH_VERSION)
    if (parent === undefined) {
      // A terminal's shell exports where it starts and its level, as both shells do at startup;
      // bash also exports OLDPWD, still unset.
      this.#startWith('SHLVL', '1')
      this.#exported.add('PWD')
      if (bash) this.#exported.add('OLDPWD')
      this.#exported.add('SHLVL')
    } else if (bash) this.#startWith('SHLVL', '1')
  }

  /** A variable the shell starts with, unless it already has it; the environment is small, so it always fits. */
  #startWith(name: string, value: string): void {
    if (this.#vars.has(name)) return
    this.#vars.set(name, value)
    this.#storage.used += value.length
  }

  get prompt(): string {
    return promptFor(this.target)
  }

  /** A live terminal's line still waits on its foreground process or on `wait`. */
  get waiting(): boolean {
    return this.#waiting !== undefined
  }

  get lastExit(): number {
    return this.#lastExit
  }

  /**
   * Run one line (it may hold several commands). Never throws for any input. While a live
   * terminal's line is still running, a new line is input nobody reads, as in a real terminal.
   */
  run(line: string, stdin = ''): ShellResult {
    return this.#keepingFrames(() => this.#runLine(line, stdin))
  }

  /** What a line sends goes into the capture log's ring, where a `tcpdump` after it reads it. */
  #keepingFrames<T>(send: () => T): T {
    const capture = this.env.lab.capture
    const keeping = capture.keeping
    capture.keeping = true
    try {
      return send()
    } finally {
      capture.keeping = keeping
    }
  }

  #runLine(line: string, stdin: string): ShellResult {
    const sink = new Sink()
    if (this.#waiting) return { stdout: '', stderr: '', exitCode: this.#lastExit, chunks: [], running: true }
    if (!this.#nested) {
      Object.assign(this.#budget, newLineBudget())
      refillIcmpBuckets(this.env.lab.netns.values())
    }
    this.#missingTool = undefined
    let code: number | typeof WAITING
    try {
      if (this.#nested) this.#enter()
      try {
        this.#showJobs(sink)
        this.#source = line
        const list = parseLine(line)
        if (this.#sendsTraffic(list)) this.env.lab.capture.batch++
        code = this.#nested
          ? this.#list(list, sink, stdin)
          : this.#top(list, { item: 0, pipe: 0, code: this.#lastExit, stdin }, sink)
      } finally {
        if (this.#nested) this.#budget.depth--
      }
    } catch (e) {
      this.#waiting = undefined
      code = this.#failure(e, sink)
    }
    // The line's commands have sent all they will: running captures get the frames still ahead
    // of the clock (a packet failing behind a neighbour resolution) in their time order.
    if (!this.#nested) this.env.lab.capture.release(Number.POSITIVE_INFINITY)
    if (code === WAITING) {
      this.#showJobs(sink)
      return { ...outputOf(sink.chunks), exitCode: this.#lastExit, chunks: sink.chunks, running: true }
    }
    this.#lineEnded(sink, code)
    let stdout = ''
    let stderr = ''
    for (const c of sink.chunks) {
      if (c.stream === 'stdout') stdout += c.text
      else stderr += c.text
    }
    const elsewhere = this.#missingTool && this.#elsewhere(this.#missingTool)
    return { stdout, stderr, exitCode: code, chunks: sink.chunks, ...(elsewhere ? { elsewhere } : {}) }
  }

  /**
   * Ctrl+C in a live terminal: SIGINT to the foreground process (the line goes on once it
   * exits, as bash goes on after a child that handled the signal), or the end of `wait` and of
   * the line (status 130). `settle` reports what followed.
   */
  interrupt(): void {
    const w = this.#waiting
    if (!w) return
    if (w.on instanceof Proc) w.on.process?.signal('INT')
    else w.interrupted = true
  }

  /**
   * Ctrl+Z in a live terminal: the foreground process stops and becomes the current job, and
   * the line goes on with status 148 (128 + SIGTSTP), as bash's does. `wait` is the shell's
   * own, which the signal does not stop.
   */
  suspend(): void {
    const w = this.#waiting
    if (w?.on instanceof Job && w.on.running) w.suspended = true
  }

  /**
   * What a live terminal printed since the last call (jobs' output as other terminals made
   * traffic), and the waiting line's end once its process exited; the line's remaining
   * commands run here. The host calls it after anything that may have changed the lab.
   */
  settle(): Settled {
    return this.#keepingFrames(() => this.#settle())
  }

  #settle(): Settled {
    const sink = new Sink()
    let code: number | typeof WAITING = WAITING
    try {
      this.#showJobs(sink)
      const w = this.#waiting
      if (w?.interrupted) code = 130
      else if (w?.suspended && w.on instanceof Job) {
        this.#waiting = undefined
        const job = this.#jobs.adopt(w.on)
        job.stopped = true
        sink.push('stderr', `\n${jobLine(this.#jobs, job, false)}`)
        this.#lastExit = 148
        code = this.#top(w.resume.list, { ...w.resume, code: 148 }, sink)
      } else if (w && (w.on instanceof Proc ? !w.on.running : w.on.every((j) => !j.running))) {
        this.#waiting = undefined
        if (w.on instanceof Proc) sink.push('stderr', foregroundNotice(w.on.killedBy))
        const status = w.on instanceof Proc ? (w.on.status ?? 0) : w.status()
        this.#lastExit = w.negate ? (status === 0 ? 1 : 0) : status
        code = this.#top(w.resume.list, { ...w.resume, code: this.#lastExit }, sink)
      }
    } catch (e) {
      code = this.#failure(e, sink)
    }
    const ended = this.#jobsEnded.splice(0)
    const jobs = ended.length > 0 ? { jobsEnded: ended } : {}
    if (code === WAITING) return { chunks: sink.chunks, ...jobs }
    this.#waiting = undefined
    this.#lineEnded(sink, code)
    return { chunks: sink.chunks, ended: { exitCode: code }, ...jobs }
  }

  /** The jobs whose process ended since the last call, for a terminal nobody settles. */
  takeJobsEnded(): EndedJob[] {
    return this.#jobsEnded.splice(0)
  }

  #lineEnded(sink: Sink, code: number): void {
    this.#lastExit = code
    if (this.#nested) return
    this.#showJobs(sink)
    // bash tells of each job that ended before it prints the next prompt, then forgets it.
    for (const job of [...this.#jobs.all]) {
      if (job.running && job.stopUntold) {
        job.stopUntold = false
        sink.push('stderr', `\n${jobLine(this.#jobs, job, false)}`)
      }
      if (job.running) continue
      sink.push('stderr', jobLine(this.#jobs, job, false))
      this.#jobs.remove(job)
    }
  }

  /** The top-level list, from `at` on; stops where a live terminal's line must wait. */
  #top(list: List, at: Omit<Resume, 'list'>, sink: Sink): number | typeof WAITING {
    let code = at.code
    for (let i = at.item; i < list.length; i++) {
      const item = list[i] as AndOr
      if (item.background) {
        code = this.#background(item, sink, at.stdin)
        continue
      }
      const pipelines = [item.first, ...item.rest.map((r) => r.pipeline)]
      for (let k = i === at.item ? at.pipe : 0; k < pipelines.length; k++) {
        if (k > 0 && (item.rest[k - 1]?.op === '&&') !== (code === 0)) continue
        code = this.#pipeline(pipelines[k] as Pipeline, sink, at.stdin, true)
        const w = this.#waiting
        if (w && w.resume.item < 0) {
          w.resume = { list, item: i, pipe: k + 1, code: 0, stdin: at.stdin }
          return WAITING
        }
      }
    }
    return code
  }

  /** `cmd &`: a job; a command that can run on keeps running, any other runs now and is done. */
  #background(item: AndOr, sink: Sink, stdin: string): number {
    const job = this.#jobs.add(this.#storage.nextPid++, commandText(item))
    if (!this.#nested) sink.push('stderr', `[${job.id}] ${job.pid}\n`)
    const only =
      item.rest.length === 0 && item.first.commands.length === 1 ? item.first.commands[0] : undefined
    const code =
      only?.kind === 'simple' && !item.first.negate
        ? this.#simple(only, sink, stdin, null, { job })
        : this.#andOr(item, sink, stdin)
    if (job.process === undefined && job.running) job.ended(code)
    return 0
  }

  /** Moves what the jobs wrote to the terminal, after ending those whose `timeout` passed in lab time. */
  #showJobs(sink: Sink): void {
    const now = this.env.lab.clock.nowMs
    const procs: Proc[] = [...this.#jobs.all]
    if (this.#waiting?.on instanceof Proc) procs.unshift(this.#waiting.on)
    for (const p of procs) if (p.deadline !== undefined && p.deadline <= now) this.#expire(p)
    for (const p of procs) if (!p.stopped) for (const c of p.take()) sink.push(c.stream, c.text)
  }

  #expire(p: Proc): void {
    if (!p.process) return
    p.timedOut = true
    if (p.announce !== undefined) p.write('stderr', p.announce, () => '')
    const action = defaultAction(p.expireWith)
    if (action === 'ignore' || action === 'stop') return
    if (p.expireWith === 'KILL') p.killedBy = 'KILL'
    // The lab's capturing tools end on HUP as on TERM; KILL leaves them no last words.
    p.process.signal(p.expireWith === 'INT' ? 'INT' : 'TERM')
  }

  /**
   * Start a command that runs on, its output going where its redirections say; undefined when
   * the command cannot run on. `timeoutMs` is `timeout`'s limit.
   */
  #spawn(
    command: RegisteredCommand & Required<Pick<RegisteredCommand, 'spawn'>>,
    args: readonly string[],
    fds: { out: Dest; err: Dest },
    proc: Proc,
    timeoutMs: number | undefined
  ): CommandOutput | undefined {
    const note = (): string =>
      `${this.#prefix()}${command.name}: output cut at ${formatSize(SHELL_LIMITS.commandOutputBytes)} (the lab's limit for one command)\n`
    const route = (dest: Dest, text: string): void => {
      if (dest.kind === 'null') return
      if (dest.kind === 'file') {
        const refused = this.#appendFile(dest.path, text)
        if (refused !== undefined) proc.write('stderr', `${this.#prefix()}${refused}\n`, note)
        return
      }
      if (dest.kind === 'sysctl') {
        if (!this.#writeSysctl(dest, text)) proc.write('stderr', `${command.name}: ${WRITE_EINVAL}`, note)
        return
      }
      proc.write(dest.kind, text, note)
    }
    const storage = this.#storage
    if (storage.processes >= SHELL_LIMITS.labProcesses)
      return {
        stdout: '',
        stderr: `${this.#prefix()}${command.name}: not started: ${SHELL_LIMITS.labProcesses} captures already run in this lab (the lab's limit); stop one with Ctrl+C or kill\n`,
        exitCode: 1
      }
    let counted = false
    const started = command.spawn(args, this.#context('', command.name), {
      write: (stream, text) => route(stream === 'stdout' ? fds.out : fds.err, text),
      exit: (code) => {
        if (counted) storage.processes--
        counted = false
        if (proc instanceof Job) storage.pids.delete(this.#pidKey(proc.pid))
        proc.ended(code)
        if (proc instanceof Job && proc.id !== 0)
          this.#jobsEnded.push({ command: proc.text, output: proc.transcript, exitCode: proc.status ?? code })
      }
    })
    if (!('signal' in started)) return started
    if (proc.running) {
      proc.process = started
      counted = true
      storage.processes++
      if (proc instanceof Job) storage.pids.set(this.#pidKey(proc.pid), proc)
    }
    if (timeoutMs !== undefined && proc.running) {
      proc.deadline = this.env.lab.clock.nowMs + timeoutMs
      proc.cancelTimer = this.env.live?.schedule(timeoutMs, () => this.#expire(proc))
    }
    return undefined
  }

  #elsewhere(tool: RegisteredCommand): ToolElsewhere | undefined {
    const has = (kind: Target['kind'], image?: string): boolean =>
      commandExistsOn(tool, image === undefined ? { kind } : { kind, image })
    const lab = this.env.lab
    const targets = [
      ...(has('node') ? lab.nodes.map((n) => n.name) : []),
      ...lab.pods.filter((p) => has('pod', p.containers[0]?.image)).map((p) => p.name),
      ...(has('external') ? lab.externalHosts.map((h) => h.name) : [])
    ]
    return targets.length > 0 ? { command: tool.name, targets } : undefined
  }

  /** Whether any command of the line (by its typed name) puts packets on the wire. */
  #sendsTraffic(list: List): boolean {
    return list.some((item) =>
      [item.first, ...item.rest.map((r) => r.pipeline)].some((p) =>
        p.commands.some((c) =>
          c.kind === 'for'
            ? this.#sendsTraffic(c.body)
            : this.env.registry.get(c.words[leadingAssignments(c.words).length]?.raw ?? '')?.sendsTraffic ===
              true
        )
      )
    )
  }

  #failure(e: unknown, sink: Sink): number {
    const prefix = this.#prefix()
    // The lab's own notes (what it does not run, its caps) read the same in every shell.
    const note = this.#terminalPrefix()
    // The sink may be the reason we are here; report on a fresh line regardless of its budget.
    const report = (text: string): void => {
      sink.size = 0
      sink.push('stderr', text)
    }
    if (e instanceof ShellSyntaxError) {
      report(this.#syntaxError(e))
      return 2
    }
    if (e instanceof ShellUnsupportedError) {
      report(`${note}${e.message}\n`)
      return 2
    }
    if (e instanceof LineBudgetExceeded) {
      report(`${note}${capMessage(e)}\n`)
      return 1
    }
    // An interactive shell abandons the line and goes on, status 1; a script ends, with the
    // status bash 5.2 or dash gives.
    if (e instanceof ExpansionError) {
      sink.push('stderr', `${prefix}${e.message}\n`)
      return this.#script === undefined ? 1 : this.#script.program === 'bash' ? 127 : 2
    }
    if (e instanceof ExitRequest) {
      sink.push('stderr', e.stderr)
      return e.code
    }
    // Every cap above keeps the engine far from these, but a line must never take the host's
    // session down: a stack or string too large for the engine ends the line like a cap.
    if (e instanceof RangeError) {
      report(`${note}stopped: ${e.message} (the line is too large for the lab)\n`)
      return 1
    }
    throw e
  }

  /**
   * A syntax error as the shell reports it. A script is read whole before any of it runs, so
   * the line named is the script's last, where a one-line script (the usual `sh -c`) has it;
   * for an unexpected end bash names the line after, its parser having read the newline.
   */
  #syntaxError(e: ShellSyntaxError): string {
    const script = this.#script
    if (script === undefined)
      return `${this.#prefix()}${this.#dialect() === 'busybox' ? busyboxSyntax(e) : e.message}\n`
    const lines = this.#source.replace(/\n$/, '').split('\n')
    const last = lines.length
    if (script.program === 'dash') return `${script.name}: ${last}: Syntax error: ${dashSyntax(e)}\n`
    const at = `${script.name}: -c: line `
    if (e.token !== null) return `${at}${last}: ${e.message}\n${at}${last}: \`${lines[last - 1] ?? ''}'\n`
    const afterEnd = e.message.startsWith('syntax error') || e.message.endsWith("`)'")
    return `${at}${afterEnd ? last + 1 : last}: ${e.message}\n`
  }

  /** One level deeper in `$(…)`, `sh -c` or `kubectl exec`; the caller leaves with `depth--`. */
  #enter(): void {
    if (++this.#budget.depth > SHELL_LIMITS.nestingDepth) {
      this.#budget.depth--
      throw new LineBudgetExceeded('depth')
    }
  }

  /** Count bytes a command wrote or read against the line's cap. */
  #charge(bytes: number): void {
    this.#budget.bytes += bytes
    if (this.#budget.bytes > SHELL_LIMITS.lineBytes) throw new LineBudgetExceeded('bytes')
  }

  #dialect(): ShellDialect {
    return dialectOf(this.target)
  }

  #prefix(): string {
    const script = this.#script
    if (script?.program === 'bash') return `${script.name}: line ${this.#line}: `
    if (script?.program === 'dash') return `${script.name}: ${this.#line}: `
    return this.#terminalPrefix()
  }

  #terminalPrefix(): string {
    return this.#dialect() === 'busybox' ? 'sh: ' : 'bash: '
  }

  #list(list: List, sink: Sink, stdin: string): number {
    let code = this.#lastExit
    for (const item of list)
      code = item.background ? this.#background(item, sink, stdin) : this.#andOr(item, sink, stdin)
    return code
  }

  #andOr(item: AndOr, sink: Sink, stdin: string): number {
    let code = this.#pipeline(item.first, sink, stdin)
    for (const { op, pipeline } of item.rest) {
      if ((op === '&&') === (code === 0)) code = this.#pipeline(pipeline, sink, stdin)
    }
    return code
  }

  /** `top`: a pipeline of the line itself, whose one command a live terminal may wait on. */
  #pipeline(p: Pipeline, sink: Sink, stdin: string, top = false): number {
    const only = p.commands.length === 1 ? p.commands[0] : undefined
    if (top && only?.kind === 'simple') {
      const code = this.#simple(only, sink, stdin, null, { top: true })
      const w = this.#waiting
      if (w && w.resume.item < 0) {
        w.negate = p.negate
        return code
      }
      this.#lastExit = p.negate ? (code === 0 ? 1 : 0) : code
      return this.#lastExit
    }
    let input = stdin
    let code = 0
    // Every stage of a pipeline of two or more runs in a subshell (bash's lastpipe is off).
    const subshell = p.commands.length > 1 ? 1 : 0
    this.#subshells += subshell
    try {
      p.commands.forEach((cmd, i) => {
        const last = i === p.commands.length - 1
        if (last) {
          code = this.#command(cmd, sink, input, null)
        } else {
          const piped: string[] = []
          code = this.#command(cmd, sink, input, piped)
          input = piped.join('')
        }
      })
    } finally {
      this.#subshells -= subshell
    }
    this.#lastExit = p.negate ? (code === 0 ? 1 : 0) : code
    return this.#lastExit
  }

  /** `pipe` collects stdout for the next stage; null means stdout goes to the terminal. */
  #command(cmd: Command, sink: Sink, stdin: string, pipe: string[] | null): number {
    if (cmd.kind === 'for') return this.#for(cmd, sink, stdin, pipe)
    return this.#simple(cmd, sink, stdin, pipe)
  }

  #for(cmd: ForCommand, sink: Sink, stdin: string, pipe: string[] | null): number {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cmd.name)) {
      sink.push('stderr', `${this.#prefix()}\`${cmd.name}': not a valid identifier\n`)
      return 1
    }
    const fds = this.#redirects(cmd.redirects, sink)
    if (typeof fds === 'number') return fds
    let items: string[]
    try {
      items = this.#expandAll(cmd.items ?? [], sink)
    } catch (e) {
      if (!(e instanceof ArgumentsTooLong)) throw e
      sink.push('stderr', `${this.#prefix()}for: Argument list too long\n`)
      return 1
    }
    let code = 0
    for (const item of items) {
      const refused = this.#setVar(cmd.name, item)
      if (refused !== undefined) {
        sink.push('stderr', `${this.#prefix()}${refused}\n`)
        return 1
      }
      // The body runs into its own sink so the loop's redirections and pipe apply to all of
      // it, chunk by chunk, keeping stdout and stderr in the order they were written.
      const inner = new Sink()
      code = this.#list(
        cmd.body,
        inner,
        fds.hereDoc ?? (fds.input === undefined ? stdin : (this.#readFile(fds.input) ?? ''))
      )
      // Each command in the body fails its own writes and says so in its own name.
      const refusals = new Map<Writer | undefined, Set<string>>()
      inner.chunks.forEach((c, i) => {
        const writer = inner.writers[i]
        const refused = refusals.get(writer) ?? new Set<string>()
        refusals.set(writer, refused)
        this.#deliver(c.stream === 'stdout' ? fds.out : fds.err, c.text, sink, pipe, refused, writer)
      })
      if ([...refusals.values()].some((r) => r.size > 0)) code = 1
    }
    return code
  }

  /**
   * `as.top`: the line's own command, which a live terminal may wait on; `as.job`: the job `&`
   * started for it, which a command that runs on keeps.
   */
  #simple(
    cmd: SimpleCommand,
    sink: Sink,
    stdin: string,
    pipe: string[] | null,
    as: { readonly top?: true; readonly job?: Job } = {}
  ): number {
    if (++this.#budget.commands > SHELL_LIMITS.lineCommands) throw new LineBudgetExceeded('commands')
    this.#line = cmd.line
    const assignments = leadingAssignments(cmd.words)
    const words = cmd.words.slice(assignments.length)
    let argv: string[]
    try {
      argv = this.#expandAll(words, sink)
    } catch (e) {
      if (!(e instanceof ArgumentsTooLong)) throw e
      // execve refuses the whole command; bash reports it and the status is 126.
      sink.push('stderr', `${this.#prefix()}${e.command ?? ''}: Argument list too long\n`)
      return 126
    }
    const fds = this.#redirects(cmd.redirects, sink)
    if (typeof fds === 'number') return fds
    let input = fds.hereDoc ?? stdin
    let inputIsDirectory = false
    if (fds.input !== undefined) {
      const data = this.#readFile(fds.input)
      inputIsDirectory = data === undefined && this.#isDirectory(fds.input)
      if (data === undefined && !inputIsDirectory) {
        sink.push('stderr', `${this.#prefix()}${fds.input}: No such file or directory\n`)
        return 1
      }
      input = data ?? ''
    }
    // With no command left, assignments set the shell's own variables, as they do before a
    // special builtin in BusyBox sh (bash keeps them temporary unless in POSIX mode).
    if (argv.length === 0 || (this.#dialect() === 'busybox' && BUSYBOX_SPECIAL_BUILTINS.has(argv[0]!))) {
      const code = this.#assignAll(assignments, sink, (name, value) => this.#setVar(name, value))
      if (argv.length === 0 || code !== 0) return code
      return this.#execSimple(argv, fds, input, inputIsDirectory, sink, pipe, as)
    }
    // bash expands the command's words before its assignments, which see each other.
    const temporary = new Map<string, string>()
    this.#assigning = temporary
    let code: number
    try {
      code = this.#assignAll(assignments, sink, (name, value) => {
        if (value.length > SHELL_LIMITS.variableBytes) return variableTooLarge(name)
        temporary.set(name, value)
        return undefined
      })
    } finally {
      this.#assigning = undefined
    }
    if (code !== 0) return code
    const outer = this.#commandEnvironment
    this.#commandEnvironment = temporaryEnvironment(temporary)
    try {
      return this.#execSimple(argv, fds, input, inputIsDirectory, sink, pipe, as)
    } finally {
      this.#commandEnvironment = outer
    }
  }

  /** Expand each `NAME=VALUE` and hand it to `set`, which returns its refusal, if any. */
  #assignAll(
    words: readonly Word[],
    sink: Sink,
    set: (name: string, value: string) => string | undefined
  ): number {
    for (const word of words) {
      const name = ASSIGNMENT.exec(word.raw)?.[1] ?? ''
      const value = this.#expandNoSplit(word, sink)
      const refused = value === undefined ? variableTooLarge(name) : set(name, value.slice(name.length + 1))
      if (refused === undefined) continue
      sink.push('stderr', `${this.#prefix()}${refused}\n`)
      return 1
    }
    return 0
  }

  #execSimple(
    argv: readonly string[],
    fds: Fds,
    input: string,
    inputIsDirectory: boolean,
    sink: Sink,
    pipe: string[] | null,
    as: { readonly top?: true; readonly job?: Job }
  ): number {
    const process = this.#process(argv, fds, input, sink, pipe, as)
    if (process !== undefined) return process
    const result = this.#exec(argv, input, inputIsDirectory)
    // Jobs print as the command's traffic reaches them, before the command's own last words.
    this.#showJobs(sink)
    const chunks = this.#capOutput(
      argv[0] ?? '',
      result.chunks ?? [
        { stream: 'stdout', text: result.stdout },
        { stream: 'stderr', text: result.stderr }
      ]
    )
    const refusals = new Set<string>()
    const writer = { name: argv[0] ?? '' }
    for (const c of chunks)
      this.#deliver(c.stream === 'stdout' ? fds.out : fds.err, c.text, sink, pipe, refusals, writer)
    return refusals.size > 0 ? 1 : result.exitCode
  }

  /**
   * At most SHELL_LIMITS.commandOutputBytes of a command's output go on, cut after the last
   * whole line that fits, then a note on stderr; all it wrote counts against the line's bytes.
   */
  #capOutput(name: string, chunks: readonly OutputChunk[]): readonly OutputChunk[] {
    const cap = SHELL_LIMITS.commandOutputBytes
    let total = 0
    for (const c of chunks) total += c.text.length
    if (total <= cap) {
      this.#charge(total)
      return chunks
    }
    const kept: OutputChunk[] = []
    let room = cap
    for (const c of chunks) {
      if (c.text.length <= room) {
        kept.push(c)
        room -= c.text.length
        continue
      }
      const part = c.text.slice(0, room)
      const lastLine = part.lastIndexOf('\n')
      const text = lastLine >= 0 ? part.slice(0, lastLine + 1) : part
      if (text !== '') kept.push({ stream: c.stream, text })
      break
    }
    kept.push({
      stream: 'stderr',
      text: `${this.#prefix()}${name}: output cut at ${formatSize(cap)} (the lab's limit for one command)\n`
    })
    this.#charge(total)
    return kept
  }

  /**
   * `refusals` collects the files a command could not write to (each said once on the
   * terminal's stderr); the caller then makes the command's status 1, as a failed write does.
   */
  #deliver(
    dest: Dest,
    text: string,
    sink: Sink,
    pipe: string[] | null,
    refusals: Set<string>,
    writer?: Writer
  ): void {
    if (text === '') return
    switch (dest.kind) {
      case 'null':
        return
      case 'stdout':
        if (pipe) pipe.push(text)
        else sink.push('stdout', text, writer)
        return
      case 'stderr':
        sink.push('stderr', text, writer)
        return
      case 'file': {
        if (refusals.has(dest.path)) return
        const refused = this.#appendFile(dest.path, text)
        if (refused !== undefined) {
          refusals.add(dest.path)
          sink.push('stderr', `${this.#prefix()}${refused}\n`)
        }
        return
      }
      case 'sysctl': {
        if (refusals.has(dest.path) || this.#writeSysctl(dest, text)) return
        refusals.add(dest.path)
        // bash names its own builtins after its prefix; another program says it alone.
        const who =
          writer === undefined
            ? this.#prefix()
            : `${BUILTIN_WRITERS.has(writer.name) ? this.#prefix() : ''}${writer.name}: `
        sink.push('stderr', `${who}${WRITE_EINVAL}`)
      }
    }
  }

  /** A write to a sysctl's file, as proc_dointvec takes it; false when the value is refused. */
  #writeSysctl(dest: Extract<Dest, { kind: 'sysctl' }>, text: string): boolean {
    const ns = this.env.lab.netns.get(this.target.netns)
    return ns !== undefined && writeSysctl(ns, dest.key, text) === 'ok'
  }

  /**
   * Append to a written file, keeping what fits under the file and lab caps (a write that
   * hits a full disk leaves its first part behind); returns the refusal message, if any.
   */
  #appendFile(path: string, text: string): string | undefined {
    const file = this.#files.get(path) ?? this.#putFile(path, '', 0)
    const bytes = utf8Length(text)
    const fileRoom = SHELL_LIMITS.fileBytes - file.size
    const labRoom = SHELL_LIMITS.labStorageBytes - this.#storage.used
    if (bytes <= fileRoom && bytes <= labRoom) {
      file.append(text, bytes)
      this.#storage.used += bytes
      return undefined
    }
    const fit = clipUtf8(text, Math.max(0, Math.min(fileRoom, labRoom)))
    file.append(fit.text, fit.bytes)
    this.#storage.used += fit.bytes
    return fileRoom <= labRoom ? fileTooLarge(path) : noSpaceLeft(path)
  }

  /** Create or replace a file with `content` of `size` bytes, the caller having checked the caps. */
  #putFile(path: string, content: string | Uint8Array, size: number): StoredFile {
    this.#storage.used -= this.#files.get(path)?.size ?? 0
    const file = new StoredFile(content, size)
    this.#files.set(path, file)
    this.#storage.used += size
    return file
  }

  /** A file a command hands over whole (`tcpdump -w`): kept only if it fits. */
  #writeWhole(path: string, data: Uint8Array): void {
    const before = this.#files.get(path)?.size ?? 0
    if (data.length > SHELL_LIMITS.fileBytes) throw new FileRefused(fileTooLarge(path))
    if (this.#storage.used - before + data.length > SHELL_LIMITS.labStorageBytes)
      throw new FileRefused(noSpaceLeft(path))
    this.#putFile(path, data, data.length)
  }

  /** A pid as the lab's processes key it: a pod's containers share one PID namespace, a host has its own. */
  #pidKey(pid: number): string {
    return `${this.target.pod ?? this.target.name} ${pid}`
  }

  /** Set a variable within the caps; returns the refusal message, if any. */
  #setVar(name: string, value: string): string | undefined {
    if (value.length > SHELL_LIMITS.variableBytes) return variableTooLarge(name)
    const before = this.#vars.get(name)?.length ?? 0
    if (this.#storage.used - before + value.length > SHELL_LIMITS.labStorageBytes) return noSpaceLeft(name)
    this.#storage.used += value.length - before
    this.#vars.set(name, value)
    if (name === 'RANDOM' && this.#dialect() === 'bash') this.#reseed(value)
    return undefined
  }

  #reseed(value: string): void {
    const seed = randomSeedOf(value)
    if (seed !== undefined) this.#random = seededBashRandom(seed)
  }

  /**
   * Give back the variables this session keeps and stop its processes (the files it wrote stay
   * on their disk): a `sh -c` or `kubectl exec` session ends with its line, a live terminal when
   * it is closed.
   */
  release(): void {
    const foreground = this.#waiting?.on instanceof Proc ? [this.#waiting.on] : []
    this.#waiting = undefined
    for (const proc of [...foreground, ...this.#jobs.all]) {
      // Closing a terminal hangs up its processes.
      proc.killedBy = 'HUP'
      proc.process?.signal('TERM')
    }
    for (const v of this.#vars.values()) this.#storage.used -= v.length
    this.#vars.clear()
  }

  /** Apply redirections left to right, as bash does (`>/dev/null 2>&1` silences both). */
  #redirects(redirects: readonly Redirect[], sink: Sink): Fds | number {
    let out: Dest = { kind: 'stdout' }
    let err: Dest = { kind: 'stderr' }
    let input: string | undefined
    let hereDoc: string | undefined
    for (const r of redirects) {
      if (r.op === '<<') {
        hereDoc = this.#expandNoSplit(r.target, sink) ?? ''
        input = undefined
        continue
      }
      const targetWords = this.#expand(r.target, sink)
      if (targetWords.length !== 1) {
        sink.push('stderr', `${this.#prefix()}${r.target.raw}: ambiguous redirect\n`)
        return 1
      }
      const t = targetWords[0] ?? ''
      if (r.op === '<') {
        input = this.#absolute(t)
        hereDoc = undefined
        continue
      }
      let dest: Dest
      if (r.op === '>&') {
        if (t === '1') dest = out
        else if (t === '2') dest = err
        else {
          sink.push('stderr', `${this.#prefix()}${t}: ambiguous redirect\n`)
          return 1
        }
      } else if (t === '/dev/null') dest = { kind: 'null' }
      else if (t === '/dev/stderr') dest = err
      else if (t === '/dev/stdout') dest = out
      else if (this.#absolute(t).startsWith('/proc/sys/')) {
        const path = this.#absolute(t)
        const opened = readVirtualFile(this.#context(''), path)
        if (!opened.ok) {
          const why = opened.error === 'EISDIR' ? 'Is a directory' : 'No such file or directory'
          sink.push('stderr', `${this.#prefix()}${t}: ${why}\n`)
          return 1
        }
        dest = { kind: 'sysctl', path, key: swapDotsAndSlashes(path.slice('/proc/sys/'.length)) }
      } else {
        const path = this.#absolute(t)
        if (this.#isDirectory(path)) {
          sink.push('stderr', `${this.#prefix()}${t}: Is a directory\n`)
          return 1
        }
        dest = { kind: 'file', path, append: r.op === '>>' }
        if (!dest.append || !this.#files.has(path)) {
          // Appending to a file the lab generates (`/etc/resolv.conf`) keeps what it holds.
          const existing = dest.append ? this.#readFile(path) : undefined
          this.#putFile(path, '', 0)
          if (existing !== undefined && existing !== '') {
            const refused = this.#appendFile(path, existing)
            if (refused !== undefined) {
              sink.push('stderr', `${this.#prefix()}${refused}\n`)
              return 1
            }
          }
        }
      }
      if (r.fd === 1 || r.fd === 'both') out = dest
      if (r.fd === 2 || r.fd === 'both') err = dest
    }
    return {
      out,
      err,
      ...(input === undefined ? {} : { input }),
      ...(hereDoc === undefined ? {} : { hereDoc })
    }
  }

  #absolute(path: string): string {
    if (path.startsWith('/')) return path
    const home = homeOf(this.target)
    return home === '/' ? `/${path}` : `${home}/${path}`
  }

  #readFile(path: string): string | undefined {
    if (path === '/dev/null') return ''
    const file = this.#files.get(path)
    if (file !== undefined) {
      this.#charge(file.size)
      return file.text()
    }
    const generated = readVirtualFile(this.#context(''), path)
    return generated.ok ? generated.text : undefined
  }

  #exec(argv: readonly string[], stdin: string, stdinIsDirectory = false): CommandOutput {
    // `timeout` signals its whole process group: a shell it started (`sh -c`) ends with the command.
    const arrived = this.#pendingSignal?.arrived === true ? this.#pendingSignal.signal : undefined
    if (arrived !== undefined) throw new ExitRequest(killedStatus(arrived))
    const [name = '', ...args] = argv
    const builtin = name.includes('/') ? undefined : this.#builtin(name, args)
    if (builtin) return builtin
    const command = this.#find(name)
    if (!('run' in command)) return command
    try {
      return this.#run(command, args, stdin, stdinIsDirectory)
    } catch (e) {
      if (e instanceof LineBudgetExceeded || e instanceof ExitRequest || e instanceof RangeError) throw e
      if (e instanceof FileRefused) return { stdout: '', stderr: `${name}: ${e.message}\n`, exitCode: 1 }
      // A command bug must not take the terminal down; the fuzz test fails on this message.
      const detail = e instanceof Error ? e.message : String(e)
      return { stdout: '', stderr: `${name}: internal error: ${detail}\n`, exitCode: 1 }
    }
  }

  /**
   * The tool a command name runs: by PATH for a bare name, the tool at that path for one with a
   * slash (`/sbin/ip`); otherwise the shell's answer, status 127 (126 for a file that is not a
   * program, as every file the lab stores is).
   */
  #find(name: string): RegisteredCommand | CommandOutput {
    const busybox = this.#dialect() === 'busybox'
    const bash = !busybox && this.#script?.program !== 'dash'
    const fail = (problem: string, exitCode: number): CommandOutput => ({
      stdout: '',
      stderr: `${this.#prefix()}${name}: ${problem}\n`,
      exitCode
    })
    const here = (c: RegisteredCommand | undefined): c is RegisteredCommand =>
      c !== undefined && commandExistsOn(c, this.target)
    if (name.includes('/')) {
      const path = normalisePath(this.#absolute(name))
      const command = this.env.registry.get(path.slice(path.lastIndexOf('/') + 1))
      if (here(command) && toolPaths(command.name, busybox).includes(path)) return command
      if (this.#files.has(path)) return fail('Permission denied', 126)
      return fail(bash ? 'No such file or directory' : 'not found', 127)
    }
    const command = this.env.registry.get(name)
    if (here(command) && findInPath(name, this.#searchPath(), busybox) !== undefined) return command
    if (command && !here(command)) this.#missingTool ??= command
    return fail(bash ? 'command not found' : 'not found', 127)
  }

  /** Where a name is found as a program: its path, or undefined. */
  #programPath(name: string): string | undefined {
    const busybox = this.#dialect() === 'busybox'
    const known = (tool: string): boolean => {
      const c = this.env.registry.get(tool)
      const here = c !== undefined && commandExistsOn(c, this.target)
      return here || SHELL_RUN_PROGRAMS.has(tool)
    }
    if (name.includes('/')) {
      const path = normalisePath(this.#absolute(name))
      const tool = path.slice(path.lastIndexOf('/') + 1)
      return known(tool) && toolPaths(tool, busybox).includes(path) ? name : undefined
    }
    return known(name) ? findInPath(name, this.#searchPath(), busybox) : undefined
  }

  /** `command [-v|-V] NAME...`: how the shell would run each name, or run it. */
  #commandBuiltin(args: readonly string[]): CommandOutput {
    const [flag, ...names] = args
    if (flag !== '-v' && flag !== '-V')
      return args.length === 0 ? { stdout: '', stderr: '', exitCode: 0 } : this.#exec(args, '')
    let stdout = ''
    let stderr = ''
    let found = false
    for (const name of names) {
      const builtin = SHELL_BUILTINS.has(name) && !name.includes('/')
      const path = builtin ? undefined : this.#programPath(name)
      if (!builtin && path === undefined) {
        if (flag === '-V') stderr += `${this.#prefix()}command: ${name}: not found\n`
        continue
      }
      found = true
      if (flag === '-v') stdout += `${path ?? name}\n`
      else stdout += builtin ? `${name} is a shell builtin\n` : `${name} is ${path}\n`
    }
    return { stdout, stderr, exitCode: found ? 0 : 1 }
  }

  /** `type [-t|-p|-P] NAME...`: what each name is, as bash says it. */
  #type(args: readonly string[]): CommandOutput {
    const flag = /^-[tpP]$/.test(args[0] ?? '') ? args[0] : undefined
    let stdout = ''
    let stderr = ''
    let missing = false
    for (const name of flag === undefined ? args : args.slice(1)) {
      const builtin = SHELL_BUILTINS.has(name) && !name.includes('/') && flag !== '-P'
      const path = builtin ? undefined : this.#programPath(name)
      if (!builtin && path === undefined) {
        missing = true
        if (flag === undefined) stderr += `${this.#prefix()}type: ${name}: not found\n`
        continue
      }
      if (flag === '-t') stdout += builtin ? 'builtin\n' : 'file\n'
      else if (flag !== undefined) stdout += path === undefined ? '' : `${path}\n`
      else stdout += builtin ? `${name} is a shell builtin\n` : `${name} is ${path}\n`
    }
    return { stdout, stderr, exitCode: missing ? 1 : 0 }
  }

  /** debianutils' (or BusyBox's) `which NAME...`: the path PATH finds each program at. */
  #which(args: readonly string[]): CommandOutput {
    let stdout = ''
    let missing = false
    for (const name of args) {
      const path = this.#programPath(name)
      if (path === undefined) missing = true
      else stdout += `${path}\n`
    }
    return { stdout, stderr: '', exitCode: missing ? 1 : 0 }
  }

  /** The PATH a command is looked up by: its own assignment's first (`PATH=/x cmd`). */
  #searchPath(): string {
    const own = this.#commandEnvironment.find(([n]) => n === 'PATH')?.[1]
    return own ?? this.#vars.get('PATH') ?? BASH_DEFAULT_PATH
  }

  /**
   * The commands that start or wait on processes: `wait`, `timeout`, a job's command and a
   * live terminal's foreground capture. Undefined for every other command, which runs at once.
   */
  #process(
    argv: readonly string[],
    fds: { out: Dest; err: Dest },
    stdin: string,
    sink: Sink,
    pipe: string[] | null,
    as: { readonly top?: true; readonly job?: Job }
  ): number | undefined {
    const top = as.top === true
    const writer = { name: argv[0] ?? '' }
    const deliver = (r: CommandOutput): number => {
      const refusals = new Set<string>()
      for (const c of r.chunks ?? [
        { stream: 'stdout' as const, text: r.stdout },
        { stream: 'stderr' as const, text: r.stderr }
      ])
        this.#deliver(c.stream === 'stdout' ? fds.out : fds.err, c.text, sink, pipe, refusals, writer)
      return refusals.size > 0 ? 1 : r.exitCode
    }
    if (argv[0] === 'wait') {
      const waited = this.#wait(argv.slice(1), top)
      this.#showJobs(sink)
      return deliver(waited)
    }
    let limit: TimeoutSpec | undefined
    let args = argv
    if (argv[0] === 'timeout') {
      const t = parseTimeout(argv.slice(1))
      if ('exitCode' in t) return deliver(t)
      limit = t.spec
      args = t.argv
    }
    // `timeout 0` sets no limit and just runs the command.
    const timeoutMs = limit !== undefined && limit.ms > 0 ? limit.ms : undefined
    const name = args[0] ?? ''
    const found = this.env.registry.get(name)
    const command = found && commandExistsOn(found, this.target) ? found : undefined
    const job = as.job
    const live = top && this.env.live !== undefined && !this.#nested && job === undefined
    // In a live terminal, the frames of an earlier line would pass for ones seen now: a capture
    // it cannot wait on (a pipe, `$(…)`, `sh -c`) starts and stops at once instead.
    const stopsAtOnce = this.env.live !== undefined && job === undefined && !live && timeoutMs === undefined
    if (!command?.spawn || (job === undefined && !live && timeoutMs === undefined && !stopsAtOnce)) {
      if (limit === undefined) return undefined
      if (!command && !BUILTINS.has(name))
        return deliver({
          stdout: '',
          stderr: `timeout: failed to run command ‘${name}’: No such file or directory\n`,
          exitCode: 127
        })
      return this.#runUntil(args, stdin, limit, deliver, sink)
    }
    const proc = job ?? (live ? new Job(0, this.#storage.nextPid++, argv.join(' ')) : new Proc())
    if (limit !== undefined && timeoutMs !== undefined) {
      proc.expireWith = limit.signal
      proc.preserveStatus = limit.preserveStatus
      if (limit.verbose) proc.announce = `timeout: sending signal ${limit.signal} to command ‘${name}’\n`
    }
    const refused = this.#spawn({ ...command, spawn: command.spawn }, args.slice(1), fds, proc, timeoutMs)
    if (refused) return deliver(refused)
    if (job) return 0
    if (live) {
      this.#waiting = { on: proc, negate: false, resume: NOT_YET, status: () => 0 }
      return 0
    }
    if (stopsAtOnce) {
      proc.process?.signal('INT')
      return deliver({ stdout: '', stderr: '', exitCode: proc.status ?? 0, chunks: proc.take() })
    }
    // Where nobody presses Ctrl+C (a script, a pipe, the CLI) only `timeout` ends it: its time
    // passes on the lab's clock at once.
    advanceClock(this.env.lab, timeoutMs ?? 0)
    this.#expire(proc)
    return deliver({ stdout: '', stderr: '', exitCode: proc.status ?? 0, chunks: proc.take() })
  }

  /**
   * `timeout` around a command that answers at once: the command sees the signal coming and
   * stops where it arrives in lab time (`waitFor`). One that does not look (a nested shell) runs
   * to its end and only its status says it ran past the limit.
   */
  #runUntil(
    args: readonly string[],
    stdin: string,
    limit: TimeoutSpec,
    deliver: (r: CommandOutput) => number,
    sink: Sink
  ): number {
    const before = this.env.lab.clock.nowMs
    const pending: PendingSignal | undefined =
      limit.ms > 0 ? { atMs: before + limit.ms, signal: limit.signal, arrived: false } : undefined
    const outer = this.#pendingSignal
    this.#pendingSignal = pending
    let code: number
    try {
      code = deliver(this.#exec(args, stdin))
    } finally {
      this.#pendingSignal = outer
    }
    if (pending === undefined) return code
    const ranMs = this.env.lab.clock.nowMs - before
    if (!pending.arrived && ranMs <= limit.ms) return code
    const killed =
      pending.signal === 'KILL' ||
      (limit.killAfterMs !== undefined && !pending.arrived && ranMs > limit.ms + limit.killAfterMs)
    if (limit.verbose)
      deliver({
        stdout: '',
        stderr: `timeout: sending signal ${pending.signal} to command ‘${args[0] ?? ''}’\n${killed && pending.signal !== 'KILL' ? `timeout: sending signal KILL to command ‘${args[0] ?? ''}’\n` : ''}`,
        exitCode: 0
      })
    // KILL goes to timeout's whole process group, timeout included: the shell sees 137 and,
    // its child having died of a signal, says so on its own stderr.
    if (killed) {
      sink.push('stderr', foregroundNotice('KILL'))
      return killedStatus('KILL')
    }
    return limit.preserveStatus ? code : 124
  }

  /**
   * `wait [%N|PID…]`. A live terminal's line waits until the jobs end or Ctrl+C; where nobody
   * is there to press it, the line is all the time there is: each `timeout` runs out on the
   * lab's clock and the other jobs are interrupted, printing what they saw.
   */
  #wait(specs: readonly string[], top: boolean): CommandOutput {
    const jobs: Job[] = []
    for (const spec of specs) {
      const job = this.#jobs.find(spec)
      if (job === 'ambiguous')
        return { stdout: '', stderr: ambiguous(this.#prefix(), 'wait', spec), exitCode: 127 }
      if (job) jobs.push(job)
      else
        return {
          stdout: '',
          stderr: /^\d+$/.test(spec)
            ? `${this.#prefix()}wait: pid ${spec} is not a child of this shell\n`
            : `${this.#prefix()}wait: ${spec}: no such job\n`,
          exitCode: 127
        }
    }
    const waited = specs.length > 0 ? jobs : this.#jobs.all.filter((j) => j.running)
    // With operands bash returns the last one's status; without, 0.
    const status = (): number => (specs.length > 0 ? (waited[waited.length - 1]?.status ?? 0) : 0)
    if (waited.every((j) => !j.running)) return { stdout: '', stderr: '', exitCode: status() }
    if (top && this.env.live !== undefined && !this.#nested) {
      this.#waiting = { on: waited, negate: false, resume: NOT_YET, status }
      return { stdout: '', stderr: '', exitCode: 0 }
    }
    const deadline = Math.max(...waited.map((j) => j.deadline ?? Number.NEGATIVE_INFINITY))
    if (deadline > this.env.lab.clock.nowMs) advanceClock(this.env.lab, deadline - this.env.lab.clock.nowMs)
    for (const j of waited) {
      if (j.deadline !== undefined && j.deadline <= this.env.lab.clock.nowMs) this.#expire(j)
      j.process?.signal('INT')
    }
    return { stdout: '', stderr: '', exitCode: status() }
  }

  /** `jobs [-l]`: each job's line; the ones that ended are told once and forgotten. */
  #jobsBuiltin(args: readonly string[]): CommandOutput {
    const bad = args.find((a) => a !== '-l')
    if (bad !== undefined)
      return {
        stdout: '',
        stderr: `${this.#prefix()}jobs: ${bad}: invalid option\njobs: usage: jobs [-lnprs] [jobspec ...] or jobs -x command [args]\n`,
        exitCode: 2
      }
    let out = ''
    for (const job of [...this.#jobs.all]) {
      out += jobLine(this.#jobs, job, args.includes('-l'))
      if (!job.running) this.#jobs.remove(job)
    }
    return { stdout: out, stderr: '', exitCode: 0 }
  }

  /**
   * `fg [%N]` and `bg [%N]`: a stopped job runs again, in the foreground (its command echoed,
   * the line waiting on it) or in the background. Only a terminal someone watches has job
   * control; a script's shell answers as a non-interactive bash does.
   */
  #resume(name: 'fg' | 'bg', args: readonly string[]): CommandOutput {
    const failed = (text: string): CommandOutput => ({
      stdout: '',
      stderr: `${this.#prefix()}${name}: ${text}\n`,
      exitCode: 1
    })
    if (!this.env.live || this.#nested) return failed('no job control')
    const spec = args[0] ?? '%+'
    const job = this.#jobs.find(spec)
    if (job === 'ambiguous') return { stdout: '', stderr: ambiguous(this.#prefix(), name, spec), exitCode: 1 }
    if (!job) return failed(`${args[0] ?? 'current'}: no such job`)
    if (!job.running) return failed('job has terminated')
    if (name === 'bg') {
      if (!job.stopped) return failed(`job ${job.id} already in background`)
      job.stopped = false
      return { stdout: `[${job.id}]${this.#jobs.marker(job)} ${job.text} &\n`, stderr: '', exitCode: 0 }
    }
    job.stopped = false
    this.#jobs.remove(job)
    this.#waiting = { on: job, negate: false, resume: NOT_YET, status: () => 0 }
    // What it captured while stopped follows the command bash echoes.
    const chunks = [{ stream: 'stdout' as const, text: `${job.text}\n` }, ...job.take()]
    return { ...outputOf(chunks), exitCode: 0, chunks }
  }

  /** `kill [-s SIG | -n NUM | -SIG] %N|PID…` for the terminal's jobs, or `kill -l`. */
  #kill(args: readonly string[]): CommandOutput {
    const request = parseKill(args, this.#prefix())
    if (request.kind === 'done') return request.output
    let stderr = ''
    for (const spec of request.operands) {
      // A pid reaches a process another terminal of the same host started too.
      const job = this.#jobs.find(spec) ?? this.#storage.pids.get(this.#pidKey(Number(spec)))
      if (job === 'ambiguous') {
        stderr += ambiguous(this.#prefix(), 'kill', spec)
        continue
      }
      if (!job || !job.running) {
        stderr += spec.startsWith('%')
          ? `${this.#prefix()}kill: ${spec}: no such job\n`
          : /^-?\d+$/.test(spec)
            ? `${this.#prefix()}kill: (${spec}) - No such process\n`
            : `${this.#prefix()}kill: ${spec}: arguments must be process or job IDs\n`
        continue
      }
      deliverSignal(job, request.signal, spec.startsWith('%'))
    }
    return { stdout: '', stderr, exitCode: stderr === '' ? 0 : 1 }
  }

  /**
   * `export [-n] [-p] [NAME[=VALUE]]...`: what a name is set to, and whether the commands this
   * shell starts get it; with no name, the exported variables as the shell reads them back.
   */
  #export(args: readonly string[]): CommandOutput {
    let i = 0
    let unexport = false
    for (; i < args.length && /^-./.test(args[i]!) && args[i] !== '--'; i++) {
      const bad = /[^np]/.exec(args[i]!.slice(1))
      if (bad) return this.#invalidOption('export', bad[0], 'export [-fn] [name[=value] ...] or export -p')
      if (args[i]!.includes('n')) unexport = true
    }
    if (args[i] === '--') i++
    const operands = args.slice(i)
    if (operands.length === 0) return { stdout: this.#exportListing(), stderr: '', exitCode: 0 }
    let stderr = ''
    for (const operand of operands) {
      const eq = operand.indexOf('=')
      const name = eq === -1 ? operand : operand.slice(0, eq)
      if (!VARIABLE_NAME.test(name)) {
        stderr += `${this.#prefix()}export: \`${operand}': not a valid identifier\n`
        continue
      }
      // Exporting a name the command's own assignments set makes that value the shell's.
      const temporary = this.#commandEnvironment.find(([n]) => n === name)?.[1]
      const value = eq !== -1 ? operand.slice(eq + 1) : unexport ? undefined : temporary
      if (value !== undefined) {
        const refused = this.#setVar(name, value)
        if (refused !== undefined) {
          stderr += `${this.#prefix()}${refused}\n`
          continue
        }
      }
      if (!unexport) this.#exported.add(name)
      else if (temporary === undefined) this.#exported.remove(name)
    }
    return { stdout: '', stderr, exitCode: stderr === '' ? 0 : 1 }
  }

  /** `declare -x NAME="VALUE"` in bash, `export NAME='VALUE'` in BusyBox, sorted by name. */
  #exportListing(): string {
    const busybox = this.#dialect() === 'busybox'
    const names = [...this.#exported.names()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    return names
      .map((name) => {
        const value = this.#vars.get(name)
        if (busybox)
          return `export ${name}${value === undefined ? '' : `='${value.replace(/'/g, `'"'"'`)}'`}\n`
        const quoted = value === undefined ? '' : `="${value.replace(/[\\"$`]/g, '\\$&')}"`
        return `declare -x ${name}${quoted}\n`
      })
      .join('')
  }

  #invalidOption(builtin: string, option: string, usage: string): CommandOutput {
    const stderr = `${this.#prefix()}${builtin}: -${option}: invalid option\n${builtin}: usage: ${usage}\n`
    return { stdout: '', stderr, exitCode: 2 }
  }

  /**
   * `unset [-v|-f] NAME...`: the variable and its export are gone. Without `-v` bash takes a
   * name no variable could have for a function's, and the lab's shells define none.
   */
  #unset(args: readonly string[]): CommandOutput {
    let i = 0
    let flags = ''
    for (; i < args.length && /^-./.test(args[i]!) && args[i] !== '--'; i++) {
      const bad = /[^vfn]/.exec(args[i]!.slice(1))
      if (bad) return this.#invalidOption('unset', bad[0], 'unset [-f] [-v] [-n] [name ...]')
      flags += args[i]!.slice(1)
    }
    if (args[i] === '--') i++
    if (flags.includes('v') && flags.includes('f'))
      return {
        stdout: '',
        stderr: `${this.#prefix()}unset: cannot simultaneously unset a function and a variable\n`,
        exitCode: 1
      }
    if (flags.includes('f')) return { stdout: '', stderr: '', exitCode: 0 }
    let stderr = ''
    for (const name of args.slice(i)) {
      if (!VARIABLE_NAME.test(name)) {
        if (flags.includes('v')) stderr += `${this.#prefix()}unset: \`${name}': not a valid identifier\n`
        continue
      }
      // `X=1 unset X` unsets the command's own X; the shell's X stays.
      if (this.#commandEnvironment.some(([n]) => n === name)) {
        this.#commandEnvironment = this.#commandEnvironment.filter(([n]) => n !== name)
        continue
      }
      this.#storage.used -= this.#vars.get(name)?.length ?? 0
      this.#vars.delete(name)
      this.#exported.remove(name)
    }
    return { stdout: '', stderr, exitCode: stderr === '' ? 0 : 1 }
  }

  /** `tool`: the program it runs, which bash exports `_` as on a node (the lab's pods are exec'd into). */
  #context(stdin: string, tool?: string): CommandContext {
    return {
      lab: this.env.lab,
      target: this.target,
      stdin,
      writeFile: (path, data) => {
        this.#writeWhole(this.#absolute(path), data)
        this.env.writeFile?.(path, data)
      },
      readFile: (path) => {
        const file = this.#files.get(this.#absolute(path))
        if (file === undefined) return undefined
        this.#charge(file.size)
        return file.bytes()
      },
      runOn: (target, line, environment, script) => {
        const nested = new ShellSession(this.env, target, {
          budget: this.#budget,
          storage: this.#storage,
          pendingSignal: this.#pendingSignal,
          environment,
          script
        })
        try {
          return nested.run(line)
        } finally {
          nested.release()
        }
      },
      resolveTarget: this.env.resolveTarget,
      environment: this.#childEnvironment(tool),
      ...(this.#pendingSignal === undefined ? {} : { pendingSignal: this.#pendingSignal }),
      countPacket: () => {
        if (++this.#budget.packets > SHELL_LIMITS.linePackets) throw new LineBudgetExceeded('packets')
      }
    }
  }

  /** A command's environment: its own assignments first, as bash builds it, then what the shell exports. */
  #childEnvironment(tool: string | undefined): Environment {
    const own = this.#commandEnvironment
    const exported = this.#exported
      .environment(this.#vars, this.#nested ? undefined : this.#dialect())
      .filter(([n]) => !own.some(([o]) => o === n))
    if (tool === undefined || !this.#exportsUnderscore) return [...own, ...exported]
    return [
      ...own.filter(([n]) => n !== '_'),
      ...exported.filter(([n]) => n !== '_'),
      ['_', findInPath(tool, this.#searchPath(), this.#dialect() === 'busybox') ?? `/usr/bin/${tool}`]
    ]
  }

  #run(
    command: RegisteredCommand,
    args: readonly string[],
    stdin: string,
    stdinIsDirectory = false
  ): CommandOutput {
    const ctx = this.#context(stdin, command.name)
    return command.run(args, stdinIsDirectory ? { ...ctx, stdinIsDirectory } : ctx)
  }

  /** A path open(2) gives a directory for: one the lab knows, and no file stored there. */
  #isDirectory(path: string): boolean {
    if (this.#files.has(path)) return false
    const r = readVirtualFile(this.#context(''), path)
    return !r.ok && r.error === 'EISDIR'
  }

  /** The few builtins scripts need; everything else is a registered command. */
  #builtin(name: string, args: readonly string[]): CommandOutput | undefined {
    switch (name) {
      case 'true':
      case ':':
        return { stdout: '', stderr: '', exitCode: 0 }
      case 'false':
        return { stdout: '', stderr: '', exitCode: 1 }
      case 'echo':
        return echo(args)
      case 'export':
        return this.#export(args)
      case 'unset':
        return this.#unset(args)
      case 'jobs':
        return this.#jobsBuiltin(args)
      case 'command':
        return this.#commandBuiltin(args)
      case 'type':
        return this.#type(args)
      case 'which':
        return this.#which(args)
      case 'kill':
        return this.#kill(args)
      case 'fg':
      case 'bg':
        return this.#resume(name, args)
      case 'exit': {
        const arg = args[0]
        if (arg === undefined) throw new ExitRequest(this.#lastExit)
        if (!/^[+-]?\d+$/.test(arg)) {
          const msg =
            this.#dialect() === 'busybox'
              ? `sh: exit: Illegal number: ${arg}\n`
              : `bash: exit: ${arg}: numeric argument required\n`
          throw new ExitRequest(2, msg)
        }
        throw new ExitRequest(((Number(arg) % 256) + 256) % 256)
      }
      default:
        return undefined
    }
  }

  /**
   * Expand words into one command's fields; throws ArgumentsTooLong once they pass
   * SHELL_LIMITS.argumentBytes, before they take the memory.
   */
  #expandAll(words: readonly Word[], sink: Sink): string[] {
    const size = { bytes: 0 }
    const fields: string[] = []
    try {
      // bash reads `export`'s NAME=VALUE operands as assignments, whose values are not split.
      const declares = words[0]?.raw === 'export'
      for (const w of words) {
        if (declares && ASSIGNMENT.test(w.raw)) {
          const value = this.#expandNoSplit(w, sink)
          size.bytes += (value?.length ?? Infinity) + 1
          if (value === undefined || size.bytes > SHELL_LIMITS.argumentBytes) throw new ArgumentsTooLong()
          fields.push(value)
        } else for (const f of this.#expand(w, sink, size)) fields.push(f)
      }
    } catch (e) {
      if (e instanceof ArgumentsTooLong) e.command ??= fields[0] ?? words[0]?.raw
      throw e
    }
    return fields
  }

  /** Expand a word into fields: variables, command substitution, then field splitting. */
  #expand(word: Word, sink: Sink, size: { bytes: number } = { bytes: 0 }): string[] {
    const fields: string[] = []
    let cur = ''
    let started = false
    for (const part of word.parts) {
      const value =
        part.kind === 'lit'
          ? part.text
          : part.kind === 'var'
            ? this.#param(part, sink)
            : this.#substitute(part.source, sink)
      size.bytes += value.length + 1
      if (size.bytes > SHELL_LIMITS.argumentBytes) throw new ArgumentsTooLong()
      if (part.quoted || part.kind === 'lit') {
        cur += value
        started = true
        continue
      }
      // Unquoted expansions split on blanks and newlines (bash's default IFS).
      const pieces = value.split(/[ \t\n]+/)
      pieces.forEach((piece, i) => {
        if (i > 0 && started) {
          fields.push(cur)
          cur = ''
          started = false
        }
        if (piece !== '') {
          cur += piece
          started = true
        }
      })
    }
    if (started) fields.push(cur)
    return fields
  }

  /**
   * An assignment's value is expanded but never split, as in bash; undefined once it passes
   * SHELL_LIMITS.variableBytes (`x=$x$x` in a loop).
   */
  #expandNoSplit(word: Word, sink: Sink): string | undefined {
    let out = ''
    for (const part of word.parts) {
      out +=
        part.kind === 'lit'
          ? part.text
          : part.kind === 'var'
            ? this.#param(part, sink)
            : this.#substitute(part.source, sink)
      if (out.length > SHELL_LIMITS.variableBytes + word.raw.length) return undefined
    }
    return out
  }

  #param(part: Extract<WordPart, { kind: 'var' }>, sink: Sink): string {
    const value = this.#lookup(part.name)
    const alt = part.alternative
    if (alt === undefined) return value ?? ''
    if (value !== undefined && (value !== '' || !alt.op.startsWith(':')))
      return alt.op.endsWith('+') ? (this.#expandNoSplit(alt.word, sink) ?? '') : value
    const word = this.#expandNoSplit(alt.word, sink) ?? ''
    switch (alt.op.slice(-1)) {
      case '-':
        return word
      case '+':
        return ''
      case '=':
        return this.#assignDefault(part.name, word)
      default:
        throw new ExpansionError(
          `${part.name}: ${word !== '' ? word : alt.op === '?' ? 'parameter not set' : 'parameter null or not set'}`
        )
    }
  }

  /** `$?`, `$$` and PPID are the shell's; RANDOM draws from the lab's seeded randomness, so lessons replay. */
  #lookup(name: string): string | undefined {
    if (name === '?') return String(this.#lastExit)
    if (name === '$') return String(this.#ownProcess().pid)
    if (name === 'PPID') return String(this.#ownProcess().ppid)
    if (name === 'RANDOM')
      return String(
        this.#random && this.#subshells === 0
          ? nextBashRandom(this.#random)
          : randomInt(this.env.lab.rng, 0, 32767)
      )
    return this.#assigning?.get(name) ?? this.#vars.get(name)
  }

  /**
   * The pid `ps` lists for this shell, or for a shell a command of it started (`sh -c`), that
   * command's child. Found when asked: listing a host's processes costs more than most lines.
   */
  #ownProcess(): { pid: number; ppid: number } {
    const shell = terminalShell(this.env.lab, this.target)
    return this.#startedByCommand ? { pid: shell.pid + 9, ppid: shell.pid } : shell
  }

  /** `${NAME:=WORD}`: only a variable can be assigned this way, not `$1` or `$?`. */
  #assignDefault(name: string, value: string): string {
    if (!VARIABLE_NAME.test(name)) throw new ExpansionError(`$${name}: cannot assign in this way`)
    const refused = this.#setVar(name, value)
    if (refused !== undefined) throw new ExpansionError(refused)
    return value
  }

  /** `$(…)`: run the inner line here; its stdout (less trailing newlines) becomes the value. */
  #substitute(source: string, sink: Sink): string {
    const inner = new Sink()
    let code: number
    this.#enter()
    this.#subshells++
    try {
      code = this.#list(parseLine(source), inner, '')
    } catch (e) {
      if (e instanceof LineBudgetExceeded || e instanceof RangeError) throw e
      code = this.#failure(e, inner)
    } finally {
      this.#budget.depth--
      this.#subshells--
    }
    this.#lastExit = code
    let out = ''
    for (const c of inner.chunks) {
      if (c.stream === 'stdout') out += c.text
      else sink.push('stderr', c.text)
    }
    return out.replace(/\n+$/, '')
  }
}

/** Where a waiting line goes on from: the top-level item and the pipeline of its and-or list. */
interface Resume {
  readonly list: List
  readonly item: number
  readonly pipe: number
  readonly code: number
  readonly stdin: string
}

/** A live terminal's line waits on its foreground process, or (`wait`) on jobs. */
interface Waiting {
  readonly on: Proc | readonly Job[]
  /** The waiting pipeline's `!`. */
  negate: boolean
  /** Filled in by the top-level list as the wait unwinds it. */
  resume: Resume
  /** `wait`'s status once the jobs ended. */
  readonly status: () => number
  /** Ctrl+C ended `wait`. */
  interrupted?: true
  /** Ctrl+Z stopped the foreground process. */
  suspended?: true
}

/** What bash takes as a variable's name. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/** A word bash takes as an assignment, as typed. */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/

/** The `NAME=VALUE` words a simple command starts with, which bash takes as assignments. */
function leadingAssignments(words: readonly Word[]): readonly Word[] {
  const end = words.findIndex((w) => !ASSIGNMENT.test(w.raw))
  return end === -1 ? words : words.slice(0, end)
}

/**
 * bash lists a command's temporary environment by the FNV-1 hash of each name in a table of
 * four buckets, the newest name first in its bucket.
 */
function temporaryEnvironment(values: ReadonlyMap<string, string>): Environment {
  const buckets: [string, string][][] = [[], [], [], []]
  for (const [name, value] of values) buckets[fnv1(name) & 3]?.unshift([name, value])
  return buckets.flat()
}

/** BusyBox sh's special builtins the lab has, before which assignments stay in the shell. */
const BUSYBOX_SPECIAL_BUILTINS: ReadonlySet<string> = new Set([':', 'export', 'unset', 'exit'])

/** The builtins of both shells that the lab has, which `type` and `command -v` name as such. */
const SHELL_BUILTINS: ReadonlySet<string> = new Set([
  ':',
  'bg',
  'command',
  'echo',
  'exit',
  'export',
  'false',
  'fg',
  'jobs',
  'kill',
  'printf',
  'true',
  'type',
  'unset',
  'wait'
])

/**
 * Programs the shell runs itself rather than as registered commands (`timeout` starts a
 * process, `which` answers from the registry), and the coreutils/procps programs that share a
 * builtin's name (`which echo` finds /usr/bin/echo).
 */
const SHELL_RUN_PROGRAMS: ReadonlySet<string> = new Set(['timeout', 'which', 'echo', 'true', 'false', 'kill'])

/** The PATH bash searches when none is set. */
const BASH_DEFAULT_PATH = '/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.'

/** A path without `.`, `..` or doubled slashes, as the kernel resolves it. */
function normalisePath(path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '..') parts.pop()
    else if (part !== '' && part !== '.') parts.push(part)
  }
  return `/${parts.join('/')}`
}

/** The version bash 5.2 as Debian 12 ships it reports. */
const BASH_VERSION = '5.2.15(1)-release'

/** An expansion that fails (`${NAME:?WORD}`); the message follows the shell's prefix. */
class ExpansionError extends Error {}

const WAITING = Symbol('waiting')
const NOT_YET: Resume = { list: [], item: -1, pipe: 0, code: 0, stdin: '' }

/** The builtins `timeout` can run (it runs them as the programs coreutils ships). */
const BUILTINS = new Set(['true', 'false', 'echo', 'kill'])

/** bash's words for a job spec that fits several jobs: the spec without its `%` or `%?`. */
function ambiguous(prefix: string, builtin: string, spec: string): string {
  return `${prefix}${builtin}: ${spec.replace(/^%\??/, '')}: ambiguous job spec\n`
}

/**
 * A signal from `kill` as the lab's processes take it: INT, and TERM and HUP, which the
 * capturing tools handle, reach their handlers; any other signal that ends a process ends it
 * without last words; the stop signals stop it and CONT lets it run on. A stopped process gets
 * only KILL at once; the others wait for CONT, which bash sends itself after TERM or HUP to a
 * job it names by jobspec.
 */
function deliverSignal(proc: Proc, signal: TimeoutSignal, byJobspec: boolean): void {
  const action = defaultAction(signal)
  if (signal === 'CONT') {
    proc.stopped = false
    const held = proc.heldSignal
    proc.heldSignal = undefined
    if (held !== undefined) deliverSignal(proc, held, false)
  } else if (action === 'stop') {
    proc.stopUntold = !proc.stopped
    proc.stopped = true
  } else if (action === 'ignore') return
  else if (proc.stopped && signal !== 'KILL') {
    if (byJobspec && (signal === 'TERM' || signal === 'HUP')) {
      proc.stopped = false
      deliverSignal(proc, signal, false)
      return
    }
    proc.heldSignal = signal
    // bash hears of the stopped job again and tells so before the next prompt.
    proc.stopUntold = true
  } else if (signal === 'INT') proc.process?.signal('INT')
  else if (signal === 'TERM' || signal === 'HUP') proc.process?.signal('TERM')
  else {
    proc.killedBy = signal
    proc.process?.signal('TERM')
  }
}

/**
 * What bash prints when a foreground process dies of a signal: strsignal's text, except for
 * INT (the terminal echoed ^C) and PIPE.
 */
function foregroundNotice(signal: TimeoutSignal | undefined): string {
  return signal === undefined || signal === 'INT' || signal === 'PIPE' ? '' : `${signalDescription(signal)}\n`
}

function outputOf(chunks: readonly OutputChunk[]): { stdout: string; stderr: string } {
  let stdout = ''
  let stderr = ''
  for (const c of chunks) {
    if (c.stream === 'stdout') stdout += c.text
    else stderr += c.text
  }
  return { stdout, stderr }
}

/** What the shell says when a line reaches one of its caps. */
function capMessage(e: LineBudgetExceeded): string {
  const L = SHELL_LIMITS
  switch (e.cap) {
    case 'commands':
      return `stopped after ${L.lineCommands} commands (the lab's limit for one line)`
    case 'output':
      return `output stopped after ${L.lineOutputBytes} bytes (the lab's limit for one line)`
    case 'bytes':
      return `stopped after its commands wrote and read ${formatSize(L.lineBytes)} (the lab's limit for one line)`
    case 'packets':
      return `stopped after ${L.linePackets} packets (the lab's limit for one line)`
    case 'depth':
      return `stopped at ${L.nestingDepth} levels of $(…), sh -c and kubectl exec inside one another (the lab's limit for one line)`
  }
}

const fileTooLarge = (path: string): string =>
  `file too large: ${path} (the lab keeps files up to ${formatSize(SHELL_LIMITS.fileBytes)})`
const noSpaceLeft = (name: string): string =>
  `no space left for ${name} (the lab keeps ${formatSize(SHELL_LIMITS.labStorageBytes)} of files and variables in all)`
const variableTooLarge = (name: string): string =>
  `variable too large: ${name} (the lab keeps variables up to ${formatSize(SHELL_LIMITS.variableBytes)})`

/** `exit` unwinds the whole line; the session reports the status it carries. */
class ExitRequest extends Error {
  constructor(
    readonly code: number,
    readonly stderr = ''
  ) {
    super('exit')
  }
}

/** dash's words for a syntax error, after its `Syntax error: `. */
function dashSyntax(e: ShellSyntaxError): string {
  if (e.message.startsWith('unexpected EOF while looking for matching'))
    return e.message.endsWith("`)'") ? 'end of file unexpected (expecting ")")' : 'Unterminated quoted string'
  if (e.token === null) return 'end of file unexpected'
  return `"${e.token}" unexpected`
}

function busyboxSyntax(e: ShellSyntaxError): string {
  if (e.message.startsWith('unexpected EOF while looking for matching'))
    return 'syntax error: unterminated quoted string'
  if (e.token === null)
    return e.message.startsWith('syntax error') ? 'syntax error: unexpected end of file' : e.message
  return e.token === 'newline' ? 'syntax error: unexpected newline' : `syntax error: unexpected "${e.token}"`
}

/** bash's builtin echo: `-n` drops the newline, `-e` interprets backslash escapes. */
function echo(args: readonly string[]): CommandOutput {
  let newline = true
  let escapes = false
  let i = 0
  for (; i < args.length; i++) {
    const a = args[i] ?? ''
    if (!/^-[neE]+$/.test(a)) break
    for (const f of a.slice(1)) {
      if (f === 'n') newline = false
      else if (f === 'e') escapes = true
      else escapes = false
    }
  }
  let text = args.slice(i).join(' ')
  if (escapes) {
    const cut = text.indexOf('\\c')
    if (cut >= 0) {
      text = text.slice(0, cut)
      newline = false
    }
    text = text.replace(
      /\\([\\abefnrtv0])/g,
      (_, c: string) =>
        ({
          '\\': '\\',
          a: '\x07',
          b: '\b',
          e: '\x1b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
          v: '\v',
          '0': '\0'
        })[c] ?? c
    )
  }
  return { stdout: newline ? `${text}\n` : text, stderr: '', exitCode: 0 }
}
