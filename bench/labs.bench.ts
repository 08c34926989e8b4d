import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { dispatch } from '../src-main/api/dispatch.ts'
import { createService, type Service } from '../src-main/api/service.ts'
import { repoRoot, tempDir } from '../test/e2e/harness.ts'
import type { Figure } from './figure.ts'

/**
 * The labs in their worker pool, driven through the service's dispatch (what both transports
 * call): what a hostile learner costs everyone else, how fast a stopped command is forgotten,
 * whether a long journal slows commands down, and what a full class keeps in memory.
 */

const lessonsDir = join(repoRoot, 'lessons')
const builtWorker = join(repoRoot, 'out', 'main', 'lab-worker.js')
// Twenty thousand OUTPUT rules, then five thousand packets that each walk all of them: every
// per-line cap allows it, and it runs for seconds even on a fast idle machine, far past the budget.
const runaway =
  'for i in $(seq 1 20000); do iptables -A OUTPUT -d 10.9.9.9 -j ACCEPT; done; ' +
  'for i in $(seq 1 5000); do ping -c 1 192.168.56.12 >/dev/null; done'

interface Env {
  service: Service
  remove: () => void
  learner: (name: string) => Promise<string>
  call: <T>(method: string, input: unknown) => Promise<T>
}

async function env(): Promise<Env> {
  const data = tempDir('podnet-bench-labs-')
  const service = createService({ dataDir: data.path, lessonsDir, version: 'bench' })
  const call = async <T>(method: string, input: unknown): Promise<T> => {
    const r = await dispatch(service.handlers, method, input)
    if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`)
    return r.value as T
  }
  return {
    service,
    remove: () => {
      service.close()
      data.remove()
    },
    call,
    learner: async (name) => (await call<{ id: string }>('profiles:create', { name })).id
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const rssMb = (): number => process.memoryUsage().rss / 2 ** 20

let hostile: { p99: number; rss: number; stops: number } | undefined

/** One learner keeps sending runaway lines while another types `ip route` every 50 ms. */
async function hostileRun(): Promise<{ p99: number; rss: number; stops: number }> {
  const e = await env()
  try {
    const mallory = await e.learner('Mallory')
    const ada = await e.learner('Ada')
    await e.call('lesson:open', { learnerId: mallory, lessonId: 'tour' })
    await e.call('lesson:open', { learnerId: ada, lessonId: 'tour' })
    let running = true
    let stops = 0
    let peak = rssMb()
    const attack = (async () => {
      while (running) {
        const r = await e.call<{ stopped?: unknown }>('shell:exec', {
          learnerId: mallory,
          lessonId: 'tour',
          on: 'node-1',
          line: runaway
        })
        if (r.stopped) stops++
      }
    })()
    const latencies: number[] = []
    const until = performance.now() + 15_000
    while (performance.now() < until) {
      const t0 = performance.now()
      await e.call('shell:exec', { learnerId: ada, lessonId: 'tour', on: 'client', line: 'ip route' })
      latencies.push(performance.now() - t0)
      peak = Math.max(peak, rssMb())
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    running = false
    await attack
    return { p99: percentile(latencies, 99), rss: peak, stops }
  } finally {
    e.remove()
  }
}

async function journalLatency(commands: number): Promise<number> {
  const e = await env()
  try {
    const ada = await e.learner('Ada')
    await e.call('lesson:open', { learnerId: ada, lessonId: 'tour' })
    const run = (): Promise<unknown> =>
      e.call('shell:exec', { learnerId: ada, lessonId: 'tour', on: 'client', line: 'ip route' })
    for (let i = 0; i < commands; i++) await run()
    const samples: number[] = []
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now()
      await run()
      samples.push(performance.now() - t0)
    }
    return percentile(samples, 50)
  } finally {
    e.remove()
  }
}

let journal: { short: number; long: number } | undefined

const figures: Figure[] = [
  {
    name: 'labs.hostile.second-client-p99',
    unit: 'ms',
    target: '< 100 ms',
    runs: 1,
    setup: async () => {
      hostile = await hostileRun()
    },
    sample: () => hostile!.p99,
    details: () => [`${hostile!.stops} runaway commands stopped while the second learner worked`]
  },
  {
    name: 'labs.hostile.host-rss-peak',
    unit: 'MB',
    target: '< 500 MB',
    runs: 1,
    sample: () => hostile!.rss
  },
  {
    name: 'labs.budget-stop-then-next-command',
    unit: 'ms',
    target: '< budget + 1500 ms',
    runs: 3,
    sample: async () => {
      const e = await env()
      try {
        const ada = await e.learner('Ada')
        await e.call('lesson:open', { learnerId: ada, lessonId: 'tour' })
        const t0 = performance.now()
        await e.call('shell:exec', { learnerId: ada, lessonId: 'tour', on: 'node-1', line: runaway })
        await e.call('shell:exec', { learnerId: ada, lessonId: 'tour', on: 'client', line: 'ip route' })
        return performance.now() - t0
      } finally {
        e.remove()
      }
    },
    details: () => ['the budget is 5000 ms: the rest is replacing the worker and rebuilding the lab']
  },
  {
    name: 'labs.command-latency.journal-3000-vs-10',
    unit: 'x',
    target: '< 1.5x',
    runs: 1,
    setup: async () => {
      journal = { short: await journalLatency(10), long: await journalLatency(3000) }
    },
    sample: () => journal!.long / journal!.short,
    details: () => [
      `median command latency: ${journal!.short.toFixed(1)} ms after 10 commands, ${journal!.long.toFixed(1)} ms after 3000`
    ]
  },
  {
    name: 'labs.class-60x3-open-lessons-rss',
    unit: 'MB',
    target: '< 400 MB',
    runs: 1,
    sample: () => {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'bench', 'class-labs-rss.child.ts'), builtWorker],
        { encoding: 'utf8' }
      )
      if (r.status !== 0) throw new Error(`class-labs-rss.child.ts failed: ${r.stderr}`)
      return Number(r.stdout.trim())
    },
    details: () => [
      'a fresh process: 60 learners × 3 open lessons, labs in the built worker as npm run serve runs them'
    ]
  }
]

export default figures
