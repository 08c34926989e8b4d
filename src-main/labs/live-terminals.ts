import type { LabShell } from '../core/shell/lab-shell.ts'
import type { ShellSession } from '../core/shell/shell.ts'
import { ApiError } from '../api/envelope.ts'
import type { TerminalEvent } from './protocol.ts'

/**
 * The live terminals of a worker's labs. A terminal's processes listen to its lab, so after
 * anything that ran on a lab its terminals are settled and what they printed goes out as
 * `terminal` messages; `timeout`'s wall clock is a timer here, outside the pure core.
 */
export class LiveTerminals {
  readonly #terminals = new Map<string, { labKey: string; session: ShellSession }>()

  constructor(private readonly post: (terminalId: string, event: TerminalEvent) => void) {}

  /** False when the lab has no target of that name. */
  open(labKey: string, shell: LabShell, terminalId: string, on: string): boolean {
    this.close(terminalId)
    const session = shell.liveTerminal(on, {
      schedule: (ms, fire) => {
        const timer = setTimeout(() => {
          fire()
          this.settle(labKey)
        }, ms)
        return () => clearTimeout(timer)
      }
    })
    if (!session) return false
    this.#terminals.set(terminalId, { labKey, session })
    return true
  }

  session(labKey: string, terminalId: string): ShellSession {
    const found = this.#terminals.get(terminalId)
    if (!found || found.labKey !== labKey)
      throw new ApiError('not_found', `terminal: no open terminal ${terminalId} in this lab; open it again`)
    return found.session
  }

  /** Sends what the lab's terminals printed since the last time, and the lines that ended. */
  settle(labKey: string): void {
    for (const [terminalId, t] of this.#terminals) {
      if (t.labKey !== labKey) continue
      const settled = t.session.settle()
      for (const c of settled.chunks)
        this.post(terminalId, { kind: 'output', stream: c.stream, text: c.text })
      if (settled.ended) this.post(terminalId, { kind: 'ended', exitCode: settled.ended.exitCode })
    }
  }

  /** The terminal is gone (closed by its subscriber): its processes stop with it. */
  close(terminalId: string): void {
    this.#terminals.get(terminalId)?.session.release()
    this.#terminals.delete(terminalId)
  }

  /** The lab went away (closed, reset, replaced): its terminals end, and their subscribers hear it. */
  closeLab(labKey: string): void {
    for (const [terminalId, t] of this.#terminals) {
      if (t.labKey !== labKey) continue
      this.close(terminalId)
      this.post(terminalId, { kind: 'closed' })
    }
  }
}
