/**
 * bash 5.2's `kill` builtin up to the processes: its options, `kill -l`, and its errors. Which
 * job or process an operand names and what the signal does to it are the shell's.
 */

import type { CommandOutput, TimeoutSignal } from './command.ts'
import { bashSignalName, parseBashSignal, signalByNumber, signalNumber } from './timeout-signal.ts'

const USAGE = 'kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n'

export type KillRequest =
  | { readonly kind: 'done'; readonly output: CommandOutput }
  | { readonly kind: 'send'; readonly signal: TimeoutSignal; readonly operands: readonly string[] }

/** Parses `kill`'s words as kill_builtin does; `prefix` is the shell's `bash: ` or `sh: `. */
export function parseKill(args: readonly string[], prefix: string): KillRequest {
  const failed = (stderr: string, exitCode: number): KillRequest => ({
    kind: 'done',
    output: { stdout: '', stderr, exitCode }
  })
  let signal: TimeoutSignal | undefined = 'TERM'
  let spec = ''
  let sawSignal = false
  let listing = false
  let i = 0
  for (; i < args.length; i++) {
    const word = args[i] ?? ''
    if (word === '-l' || word === '-L') listing = true
    else if (word === '-s' || word === '-n') {
      const next = args[++i]
      if (next === undefined) return failed(`${prefix}kill: ${word}: option requires an argument\n`, 1)
      spec = next
      signal = parseBashSignal(next)
      sawSignal = true
    } else if (/^-s[A-Za-z]/.test(word) || /^-n\d/.test(word)) {
      spec = word.slice(2)
      signal = parseBashSignal(spec)
      sawSignal = true
    } else if (word === '--') {
      i++
      break
    } else if (word === '-?') return failed(USAGE, 2)
    else if (word.startsWith('-') && !sawSignal) {
      spec = word.slice(1)
      signal = parseBashSignal(spec)
      sawSignal = true
    } else break
  }
  const operands = args.slice(i)
  if (listing) return { kind: 'done', output: listSignals(operands, prefix) }
  if (signal === undefined) return failed(`${prefix}kill: ${spec}: invalid signal specification\n`, 1)
  if (operands.length === 0) return failed(USAGE, 2)
  return { kind: 'send', signal, operands }
}

/** `kill -l`: the table five to a line; with operands, each number's name or each name's number. */
function listSignals(operands: readonly string[], prefix: string): CommandOutput {
  if (operands.length === 0) {
    let out = ''
    let column = 0
    for (let n = 1; n <= 64; n++) {
      const signal = signalByNumber(n)
      if (signal === undefined) continue
      out += `${String(n).padStart(2)}) SIG${bashSignalName(signal)}`
      column = (column + 1) % 5
      out += column === 0 ? '\n' : '\t'
    }
    return { stdout: column === 0 ? out : `${out}\n`, stderr: '', exitCode: 0 }
  }
  let stdout = ''
  let stderr = ''
  for (const word of operands) {
    // A number above 128 is an exit status: the signal that ended the process.
    const n = /^\d+$/.test(word) ? Number(word) : undefined
    // glibc keeps 32 and 33 for itself: bash has no name for them and prints nothing.
    if (n === 32 || n === 33) continue
    const signal = n === undefined ? parseBashSignal(word) : parseBashSignal(String(n > 128 ? n - 128 : n))
    if (signal === undefined) stderr += `${prefix}kill: ${word}: invalid signal specification\n`
    else stdout += n === undefined ? `${signalNumber(signal)}\n` : `${bashSignalName(signal)}\n`
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 }
}
