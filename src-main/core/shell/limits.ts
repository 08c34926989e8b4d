/**
 * What one learner's input may cost the host. A real terminal is stopped with Ctrl-C and a real
 * disk fills up; the lab runs inside the host, so it stops by itself at these caps and says
 * which one it reached. Every cap of the shell and its commands is here, so the docs and the
 * About page can quote one object (src-main/core/shell/README.md explains each).
 *
 * Sizes of text (output, variables, arguments) are counted in UTF-16 units, which are bytes for
 * the ASCII the lab's tools print; files are counted in bytes.
 */
export const SHELL_LIMITS = {
  /** One file written in a terminal (`>`, `>>`, `tcpdump -w`): the rest of a write is refused. */
  fileBytes: 1024 * 1024,
  /** Files and variables all terminals of one lab keep between lines, together. */
  labStorageBytes: 8 * 1024 * 1024,
  /** One shell variable's value. */
  variableBytes: 1024 * 1024,
  /** stdout + stderr of one command; the rest is cut and the cut said on stderr. `seq` stops here. */
  commandOutputBytes: 1024 * 1024,
  /** Linux's ARG_MAX (a quarter of the default 8 MiB stack): `Argument list too long`. */
  argumentBytes: 2 * 1024 * 1024,
  /** What one line's commands write (to the terminal, pipes, files or /dev/null) and read from files. */
  lineBytes: 64 * 1024 * 1024,
  /** What one line shows in the terminal. */
  lineOutputBytes: 8 * 1024 * 1024,
  /**
   * Commands one line runs, `sh -c` and `kubectl exec` lines included. Every `for` iteration runs
   * at least one, so this is also the most iterations a line's loops make.
   */
  lineCommands: 100_000,
  /** Probes one line sends (`ping`, `curl`, `traceroute`), through `sh -c` and `kubectl exec` too. */
  linePackets: 5000,
  /** `$(…)`, backquotes, `sh -c` and `kubectl exec` inside one another. */
  nestingDepth: 32,
  /** Echo requests one `ping` sends, whatever `-c` asks for. */
  pingCount: 1000,
  /**
   * Processes that keep running in one lab at once (captures and `conntrack -E` / `ip monitor`,
   * as jobs or in a terminal's foreground): each one looks at every frame or event the lab's
   * commands cause.
   */
  labProcesses: 16
} as const

/** `1 MiB`, `64 MiB`, `512 KiB`: a cap as the messages print it. */
export function formatSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}

/** Which per-line cap ended a line; the shell words the message. */
export type LineCap = 'commands' | 'bytes' | 'output' | 'packets' | 'depth'

/**
 * Thrown where a per-line cap is reached; unwinds the whole line (and the `sh -c` or
 * `kubectl exec` line it happened in), as Ctrl-C would.
 */
export class LineBudgetExceeded extends Error {
  constructor(readonly cap: LineCap) {
    super(cap)
  }
}

/** What the commands of one top-level line have used so far, shared with the lines they nest. */
export interface LineBudget {
  commands: number
  bytes: number
  packets: number
  depth: number
}

export function newLineBudget(): LineBudget {
  return { commands: 0, bytes: 0, packets: 0, depth: 0 }
}
