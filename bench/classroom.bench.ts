import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { loadLesson, playLesson, type Joined } from '../test/classroom/classroom-host.ts'
import { repoRoot, tempDir } from '../test/e2e/harness.ts'
import type { Figure } from './figure.ts'

/**
 * The classroom under load: a real classroom host (`npm run serve -- --classroom`, its own
 * process, real SQLite file) and 60 learners as HTTP clients on loopback, all joining at once and
 * working through the tour — its solution commands, predictions and answers, one wrong first
 * answer per quiz question — with a short think time between calls, as people in a room have.
 * Afterwards the store is read back to count progress rows that should exist but do not.
 * It runs twice: each laptop on its own address, then the whole room behind one address (a NAT or
 * a proxy), where only the join limit's per-address bookkeeping differs.
 */
const LEARNERS = 60
/** Pause between one learner's calls (ms): uniformly random in this range. */
const THINK_MS = [300, 900] as const

/** One API method's share of the run: how often it was called and how long it took. */
interface MethodLatency {
  method: string
  calls: number
  p50: number
  p95: number
  max: number
}

interface LoadRun {
  p95: number
  p50: number
  p99: number
  /** Per method, slowest p95 first: where the run's tail comes from. */
  byMethod: MethodLatency[]
  calls: number
  errors: string[]
  lost: number
  seconds: number
  /** The host process's CPU time (user + system) per API call: what the load costs, whatever else runs on the machine. */
  cpuMsPerCall: number
  loadAverage: number
}

/** Extra node flags for the host, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under load. */
const hostNodeArgs = process.env['BENCH_HOST_NODE_ARGS']?.split(' ').filter(Boolean) ?? []

function startHost(
  dataDir: string
): Promise<{ child: ChildProcess; origin: string; token: string; joinCode: string }> {
  const child = spawn(
    process.execPath,
    [
      ...hostNodeArgs,
      join(repoRoot, 'scripts', 'serve.mjs'),
      '--classroom',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--class-name',
      'Load run'
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  )
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
      const code = /Join code: +([A-Z0-9]{6})/.exec(out)
      if (code) {
        // The host writes the instructor link before it prints the join code, and never prints the link.
        const instructor = new URL(readFileSync(join(dataDir, 'instructor-link'), 'utf8').trim())
        resolve({
          child,
          origin: instructor.origin,
          token: instructor.searchParams.get('token')!,
          joinCode: code[1]!
        })
      }
    })
    child.on('exit', (status) =>
      reject(new Error(`classroom host exited (${status}) before it was ready:\n${out}`))
    )
  })
}

/** A process's CPU time so far (Linux /proc: utime + stime, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

function request(
  agent: Agent,
  url: string,
  body: string,
  token?: string
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {})
        }
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }))
        response.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Where the learners' connections come from: one loopback address each, or one for the room. */
type Addresses = 'one-per-learner' | 'one-for-the-room'

async function loadRun(addresses: Addresses): Promise<LoadRun> {
  const data = tempDir('podnet-bench-classroom-')
  const { child, origin, joinCode } = await startHost(data.path)
  const lesson = loadLesson('tour')
  const latencies: number[] = []
  const latenciesByMethod = new Map<string, number[]>()
  const errors: string[] = []
  const expected = new Map<string, { attempts: number; stepsCompleted: number }>()
  const started = performance.now()
  const cpuBefore = cpuMs(child.pid!)
  const think = (): Promise<void> =>
    new Promise((r) => setTimeout(r, THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0])))

  const post = async (agent: Agent, method: string, body: unknown, token?: string): Promise<unknown> => {
    const t0 = performance.now()
    const { status, text } = await request(agent, `${origin}/api/${method}`, JSON.stringify(body), token)
    const ms = performance.now() - t0
    latencies.push(ms)
    const ofMethod = latenciesByMethod.get(method)
    if (ofMethod) ofMethod.push(ms)
    else latenciesByMethod.set(method, [ms])
    const envelope = JSON.parse(text) as {
      ok: boolean
      value?: unknown
      error?: { code: string; message: string }
    }
    if (!envelope.ok)
      throw new Error(`${method}: ${status} ${envelope.error?.code}: ${envelope.error?.message}`)
    return envelope.value
  }

  const learner = async (i: number): Promise<void> => {
    try {
      const localAddress = addresses === 'one-per-learner' ? `127.0.1.${i + 1}` : '127.0.2.1'
      const agent = new Agent({ keepAlive: true, localAddress })
      await think()
      const joined = (await post(agent, 'class:join', { code: joinCode, name: `Learner ${i + 1}` })) as Joined
      let attempts = 0
      await playLesson(
        async (method, body) => {
          await think()
          if (
            method === 'quiz:submit' ||
            (method === 'lesson:send' && (body['event'] as { type: string }).type === 'user.predict')
          )
            attempts++
          return post(agent, method, { learnerId: joined.learnerId, ...body }, joined.learnerToken)
        },
        lesson,
        (_questionId, right) =>
          right.kind === 'numeric' ? { kind: 'numeric', value: right.value + 1 } : null
      )
      expected.set(joined.learnerId, { attempts, stepsCompleted: lesson.lesson.steps.length })
      agent.destroy()
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error))
    }
  }
  await Promise.all(Array.from({ length: LEARNERS }, (_, i) => learner(i)))
  const seconds = (performance.now() - started) / 1000
  const cpuUsed = cpuMs(child.pid!) - cpuBefore
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))

  const db = new Database(join(data.path, 'progress.sqlite'), { readonly: true })
  let lost = 0
  for (const [learnerId, want] of expected) {
    const attempts = (
      db.prepare('SELECT count(*) AS n FROM quiz_attempts WHERE learner_id = ?').get(learnerId) as {
        n: number
      }
    ).n
    const steps = (
      db
        .prepare("SELECT count(*) AS n FROM step_events WHERE learner_id = ? AND kind = 'step-completed'")
        .get(learnerId) as { n: number }
    ).n
    const done = (
      db
        .prepare("SELECT count(*) AS n FROM lesson_sessions WHERE learner_id = ? AND status = 'completed'")
        .get(learnerId) as { n: number }
    ).n
    lost += Math.max(0, want.attempts - attempts) + Math.max(0, want.stepsCompleted - steps) + (1 - done)
  }
  const members = (db.prepare('SELECT count(*) AS n FROM class_learners').get() as { n: number }).n
  lost += Math.max(0, expected.size - members)
  db.close()
  data.remove()
  const sorted = [...latencies].sort((a, b) => a - b)
  const byMethod = [...latenciesByMethod].map(([method, values]): MethodLatency => {
    const ordered = [...values].sort((a, b) => a - b)
    return {
      method,
      calls: ordered.length,
      p50: quantile(ordered, 0.5),
      p95: quantile(ordered, 0.95),
      max: ordered.at(-1) ?? 0
    }
  })
  return {
    p95: quantile(sorted, 0.95),
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    byMethod: byMethod.sort((a, b) => b.p95 - a.p95),
    calls: latencies.length,
    errors,
    lost,
    seconds,
    cpuMsPerCall: cpuUsed / latencies.length,
    loadAverage: loadavg()[0]!
  }
}

/** The value below which the share `q` of the sorted values lie. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

function methodLine(m: MethodLatency): string {
  return `  ${m.method.padEnd(16)} ${String(m.calls).padStart(5)} calls  p50 ${m.p50.toFixed(1).padStart(6)}  p95 ${m.p95.toFixed(1).padStart(6)}  max ${m.max.toFixed(1).padStart(6)} ms`
}

function figuresFor(addresses: Addresses, prefix: string): Figure[] {
  let run: Promise<LoadRun> | null = null
  const result = (): Promise<LoadRun> => (run ??= loadRun(addresses))
  let summary: LoadRun | null = null
  return [
    {
      name: `${prefix}.p95-latency`,
      unit: 'ms',
      target: '< 50 ms',
      runs: 1,
      sample: async () => {
        summary = await result()
        return summary.p95
      },
      details: () =>
        summary
          ? [
              `${LEARNERS} learners (${addresses}), ${summary.calls} API calls in ${summary.seconds.toFixed(0)} s, think time ${THINK_MS[0]}–${THINK_MS[1]} ms; p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`,
              ...summary.byMethod.map(methodLine),
              `host CPU ${summary.cpuMsPerCall.toFixed(2)} ms per call; machine load average ${summary.loadAverage.toFixed(1)} on ${availableParallelism()} cores`,
              ...summary.errors.slice(0, 5)
            ]
          : []
    },
    {
      name: `${prefix}.host-cpu-per-call`,
      unit: 'ms',
      target: 'none',
      runs: 1,
      sample: async () => (await result()).cpuMsPerCall
    },
    {
      name: `${prefix}.errors`,
      unit: 'errors',
      target: '0',
      runs: 1,
      sample: async () => (await result()).errors.length
    },
    {
      name: `${prefix}.progress-rows-lost`,
      unit: 'rows',
      target: '0',
      runs: 1,
      sample: async () => (await result()).lost
    }
  ]
}

const figures: Figure[] = [
  ...figuresFor('one-per-learner', 'classroom.60-learners'),
  ...figuresFor('one-for-the-room', 'classroom.60-learners-one-address')
]

export default figures
