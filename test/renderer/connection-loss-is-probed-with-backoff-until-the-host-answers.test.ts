import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { ConnectionMonitor, type ConnectionState } from '../../src-renderer/src/lib/connection.ts'

/** A monitor whose probe answers as `hostUp` says, recording its states and each time it probes. */
function monitor(hostUp: () => boolean) {
  const states: ConnectionState[] = []
  const probes: number[] = []
  const restored = vi.fn()
  const connection = new ConnectionMonitor({
    probe: () => {
      probes.push(Date.now())
      return hostUp() ? Promise.resolve(true) : Promise.reject(new TypeError('Failed to fetch'))
    },
    backoff: { initialMs: 1000, maxMs: 8000 },
    onRestored: restored
  })
  connection.onState((state) => states.push(state))
  return { connection, states, probes, restored }
}

describe('the connection monitor', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 })
    // No jitter: the waits are exactly the backoff's.
    vi.spyOn(Math, 'random').mockReturnValue(1)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  test('a failed call makes it lost; it probes with doubling waits and is online once the host answers', async () => {
    let up = false
    const { connection, states, probes, restored } = monitor(() => up)
    connection.failed()
    expect(connection.state).toBe('lost')
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 8000 + 8000)
    expect(probes).toEqual([1000, 3000, 7000, 15000, 23000])
    expect(connection.state).toBe('lost')
    up = true
    await vi.advanceTimersByTimeAsync(8000)
    expect(states).toEqual(['online', 'lost', 'online'])
    expect(restored).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(probes).toHaveLength(6)
  })

  test('a call that gets an answer ends the loss at once and stops the probing', async () => {
    const { connection, states, probes, restored } = monitor(() => false)
    connection.failed()
    connection.failed()
    connection.succeeded()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(states).toEqual(['online', 'lost', 'online'])
    expect(probes).toEqual([])
    expect(restored).toHaveBeenCalledTimes(1)
  })

  test('a hint of a loss is checked once: a host that answers is never shown as lost', async () => {
    const up = monitor(() => true)
    up.connection.check()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(up.states).toEqual(['online'])
    expect(up.probes).toHaveLength(1)

    const down = monitor(() => false)
    down.connection.check()
    await vi.advanceTimersByTimeAsync(0)
    expect(down.states).toEqual(['online', 'lost'])
  })
})
