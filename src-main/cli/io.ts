/**
 * What a `podnet` subcommand may touch: its two output streams. Subcommands return their exit
 * code instead of calling `process.exit`, so tests and the table in `main.ts` stay simple.
 */
export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

/** A subcommand: argv after its name → exit code (0 ok, 1 failure, 2 usage error). */
export type Subcommand = (argv: readonly string[], io: CliIo) => number | Promise<number>
