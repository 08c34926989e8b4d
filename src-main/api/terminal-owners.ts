import { randomUUID } from 'node:crypto'
import type { LabPool } from '../labs/lab-pool.ts'
import type { TerminalEvent } from '../labs/protocol.ts'
import { ApiError } from './envelope.ts'
import { reason } from './error-reasons.ts'

/**
 * Which learner and lab each live terminal belongs to. A terminal's id travels in every input,
 * so it must never be the key to it: on a class host another learner (or the dashboard) could
 * reuse one seen on a projector. Every input is checked against the terminal's owner here, and a
 * stranger's id is refused exactly as an unknown one, naming nothing of the owner's.
 */
export class TerminalOwners {
  readonly #owners = new Map<string, { learnerId: string; labKey: string }>()

  constructor(private readonly pool: LabPool) {}

  /**
   * Opens a terminal on `on` in the lab: `onEvent` hears what it prints between lines and
   * `closed` when the lab went away. `open` asks the lab's worker; false means no such target.
   */
  async open(
    learnerId: string,
    labKey: string,
    on: string,
    onEvent: (event: TerminalEvent) => void,
    open: (terminalId: string) => Promise<boolean>
  ): Promise<{ terminalId: string; close: () => void }> {
    const terminalId = randomUUID()
    const stop = this.pool.listen(terminalId, labKey, onEvent)
    const close = (): void => {
      this.#owners.delete(terminalId)
      stop()
    }
    try {
      if (!(await open(terminalId)))
        throw new ApiError('not_found', `on: no node, pod, pod/container or external host named "${on}"`, {
          reason: reason('unknown_target', { name: on })
        })
    } catch (error) {
      close()
      throw error
    }
    this.#owners.set(terminalId, { learnerId, labKey })
    return { terminalId, close }
  }

  /** Throws unless the terminal is open, on this lab, and this learner's. */
  check(learnerId: string, labKey: string, terminalId: string): void {
    const owner = this.#owners.get(terminalId)
    if (owner?.learnerId !== learnerId || owner.labKey !== labKey)
      throw new ApiError(
        'not_found',
        `terminalId: no open terminal "${terminalId}" of yours in this lab; open one first`,
        { reason: reason('unknown_terminal', {}) }
      )
  }
}
