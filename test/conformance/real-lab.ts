import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { renderLabScript, type LabPlan } from '../../src-main/core/scenario/export-lab.ts'
import { claimNetnsPrefix, type NetnsPrefix } from './netns-prefix.ts'
import type { CaptureStep, Step } from './steps.ts'

/**
 * A lab built from real network namespaces by a script from `podnet export-lab`, under a
 * namespace prefix of the run's own, and the means to run learners' commands in it. Everything goes through the script's own `up`, `exec` and
 * `down`, so the tests exercise exactly what a learner would run.
 */

export interface Output {
  stdout: string
  stderr: string
  exitCode: number
}

const TOOLS = [
  'ip',
  'bridge',
  'iptables-restore',
  'iptables-save',
  'nft',
  'ping',
  'curl',
  'traceroute',
  'tcpdump',
  'conntrack',
  'python3',
  'ss',
  'timeout',
  'sysctl'
]

/** Why real namespaces cannot be built here, or undefined when they can. */
export function realLabUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return 'not root (real network namespaces need CAP_NET_ADMIN)'
  const missing = TOOLS.filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0
  )
  if (missing.length > 0) return `missing tools: ${missing.join(', ')} (CI installs them in .ci/run)`
  // Named per process: test files run in parallel workers, and a shared name would make one
  // worker's probe fail on the other's.
  const name = `pnl-probe-${process.pid}`
  const probe = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' })
  if (probe.status !== 0) return `cannot create network namespaces: ${probe.stderr.trim()}`
  spawnSync('ip', ['netns', 'del', name])
  return undefined
}

interface Ended {
  stdout: string
  stderr: string
  code: number | null
  signal: NodeJS.Signals | null
}

/** A child's whole stdout and stderr and how it ended; `onStderr` sees stderr as it grows. */
function collect(
  child: ChildProcessByStdio<null, Readable, Readable>,
  onStderr: (soFar: string) => void = () => undefined
): Promise<Ended> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      onStderr(stderr)
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ stdout, stderr, code, signal }))
  })
}

async function run(argv: string[], timeoutMs = 30_000): Promise<Output> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const r = await collect(child).finally(() => clearTimeout(timer))
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code ?? (r.signal ? 128 : 1) }
}

export class RealLab {
  readonly #plan: LabPlan
  readonly #base: string
  #claim: NetnsPrefix | undefined
  #dir: string | undefined
  #script = ''

  /** `base`: the prefix the run's own one extends (netns-prefix.ts). */
  constructor(plan: LabPlan, base: string) {
    this.#plan = plan
    this.#base = base
  }

  /** Every namespace of the lab is `<prefix>-<host>`; known once `up` has begun. */
  get prefix(): string {
    if (!this.#claim) throw new Error('the lab has no prefix before up()')
    return this.#claim.prefix
  }

  async up(): Promise<void> {
    this.#claim = await claimNetnsPrefix(this.#base)
    this.#dir = mkdtempSync(join(tmpdir(), 'pnl-lab-'))
    this.#script = join(this.#dir, 'lab.sh')
    writeFileSync(this.#script, renderLabScript(this.#plan, { prefix: this.#claim.prefix }))
    chmodSync(this.#script, 0o755)
    process.once('exit', this.#downSync)
    const r = await run(['bash', this.#script, 'up'], 60_000)
    if (r.exitCode !== 0) throw new Error(`lab up failed (exit ${r.exitCode}):\n${r.stderr}${r.stdout}`)
  }

  /** Last resort when the process exits without afterAll (an interrupted run). */
  readonly #downSync = (): void => {
    spawnSync('bash', [this.#script, 'down'], { stdio: 'ignore', timeout: 30_000 })
    this.#claim?.release()
  }

  /** Idempotent: safe in afterAll even when up failed half-way or never ran. */
  async down(): Promise<void> {
    if (this.#dir === undefined) return
    await run(['bash', this.#script, 'down'], 60_000)
    process.off('exit', this.#downSync)
    rmSync(this.#dir, { recursive: true, force: true })
    this.#dir = undefined
    this.#claim?.release()
  }

  exec(on: string, line: string, timeoutMs = 20_000): Promise<Output> {
    return run(['bash', this.#script, 'exec', on, 'sh', '-c', line], timeoutMs)
  }

  /**
   * tcpdump first (waiting until it says it listens), then the traffic, then tcpdump's end:
   * `-c N` ends it; when fewer packets come, an interrupt after 4 s ends it the way a learner's
   * Ctrl-C would (tcpdump prints its counts and exits 0).
   */
  async capture(step: CaptureStep): Promise<{ traffic: Output; capture: Output }> {
    const child = spawn(
      'bash',
      [this.#script, 'exec', step.on, 'sh', '-c', `exec timeout --preserve-status -s INT 4 ${step.run}`],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let heard = (): void => undefined
    const listening = new Promise<void>((resolve) => (heard = resolve))
    const ended = collect(child, (stderr) => {
      if (stderr.includes('listening on')) heard()
    })
    await Promise.race([listening, ended])
    const traffic = await this.exec(step.traffic.on, step.traffic.run)
    const r = await ended
    return { traffic, capture: { stdout: r.stdout, stderr: r.stderr, exitCode: r.code ?? 1 } }
  }

  async runStep(step: Step): Promise<{ traffic?: Output; output: Output }> {
    if (step.kind === 'cmd') {
      if (step.settleMs) await new Promise((resolve) => setTimeout(resolve, step.settleMs))
      return { output: await this.exec(step.on, step.realRun ?? step.run) }
    }
    const r = await this.capture(step)
    return { traffic: r.traffic, output: r.capture }
  }
}
