import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Service } from '../../src-main/api/service.ts'
import { repoRoot } from '../e2e/harness.ts'
import { call, failure, withService } from './api-call.ts'

/**
 * Families of hostile input a fuzzer throws at the contract: each is answered with an error code
 * and a message naming what was wrong, or, inside a terminal, with the shell's own error line,
 * never with `internal`.
 */

// probe runs busybox here, so the limits are checked in both shell dialects.
const scenario = readFileSync(
  join(repoRoot, 'test', 'fixtures', 'scenarios', 'three-node-k3s.yaml'),
  'utf8'
).replace(
  '{ name: probe, node: server, labels: { app: probe }, containers: [{ name: shell, app: sleep }] }',
  '{ name: probe, node: server, labels: { app: probe }, containers: [{ name: shell, image: busybox, app: sleep }] }'
)

async function openSandbox(service: Service, learnerId: string, content: string): Promise<string> {
  const opened = await call<{ sandboxId: string }>(service, 'sandbox:open', {
    learnerId,
    source: { kind: 'file', fileName: 'mine.yaml', content }
  })
  return opened.sandboxId
}

/** Opens a scenario file expected to be refused; returns the refusal. */
function refusedScenario(
  service: Service,
  learnerId: string,
  fileName: string,
  content: string
): Promise<{ code: string; message: string }> {
  return failure(service, 'sandbox:open', { learnerId, source: { kind: 'file', fileName, content } })
}

type ExecResult = { stdout: string; stderr: string; exitCode: number }

/** `probe` is a busybox pod (sh), `server` a node (bash): the two shell dialects. */
async function inTerminals(line: string, check: (ran: ExecResult, on: string) => void): Promise<void> {
  await withService(async (service, learnerId) => {
    const sandboxId = await openSandbox(service, learnerId, scenario)
    for (const on of ['probe', 'server']) {
      const ran = await call<ExecResult>(service, 'sandbox:exec', { learnerId, sandboxId, on, line })
      check(ran, on)
    }
  })
}

const prefix = (on: string): string => (on === 'probe' ? 'sh: ' : 'bash: ')

/** One MiB in `$b`, the largest value a variable may hold. */
const oneMiB = 'b=x; for i in $(seq 20); do b=$b$b; done; '

describe('bad input is answered with a code, never as an internal error', () => {
  describe('a name the lab does not have', () => {
    interface Case {
      method: string
      input: (ids: { learnerId: string; sandboxId: string }) => unknown
      code: string
      detail: string
    }
    const lesson = { kind: 'lesson', lessonId: 'tour' }
    const cases: Case[] = [
      {
        method: 'trace:run',
        input: ({ learnerId }) => ({
          learnerId,
          lessonId: 'tour',
          trace: { from: 'client', to: 'nosuchpod', protocol: 'icmp' }
        }),
        code: 'invalid_input',
        detail: 'trace.to: "nosuchpod"'
      },
      {
        method: 'trace:run',
        input: ({ learnerId }) => ({
          learnerId,
          lessonId: 'tour',
          trace: { from: 'nosuchpod', to: 'client', protocol: 'icmp' }
        }),
        code: 'invalid_input',
        detail: 'trace.from: this lab has no node, pod or host named "nosuchpod"'
      },
      {
        method: 'sandbox:trace',
        input: ({ learnerId, sandboxId }) => ({
          learnerId,
          sandboxId,
          trace: { from: 'probe', to: 'nosuchpod', protocol: 'tcp', port: 80 }
        }),
        code: 'invalid_input',
        detail: 'trace.to: "nosuchpod"'
      },
      {
        method: 'shell:complete',
        input: ({ learnerId }) => ({ learnerId, lab: lesson, on: 'nosuchpod', line: 'ip r', cursor: 4 }),
        code: 'not_found',
        detail: '"nosuchpod"'
      },
      {
        method: 'shell:complete',
        input: ({ learnerId, sandboxId }) => ({
          learnerId,
          lab: { kind: 'sandbox', sandboxId },
          on: 'nosuchpod',
          line: 'ip r',
          cursor: 4
        }),
        code: 'not_found',
        detail: '"nosuchpod"'
      },
      {
        method: 'trace:pcap',
        input: ({ learnerId }) => ({ learnerId, lab: lesson, traceId: 999 }),
        code: 'not_found',
        detail: 'no trace 999 in this lab'
      },
      {
        method: 'lab:inspect',
        input: ({ learnerId }) => ({ learnerId, lessonId: 'tour', objectId: 'nosuchpod/eth0' }),
        code: 'not_found',
        detail: '"nosuchpod/eth0"'
      },
      {
        method: 'sandbox:inspect',
        input: ({ learnerId, sandboxId }) => ({ learnerId, sandboxId, objectId: 'nosuchpod' }),
        code: 'not_found',
        detail: '"nosuchpod"'
      },
      {
        method: 'sandbox:diagram',
        input: ({ learnerId }) => ({ learnerId, sandboxId: 'nosuchsandbox' }),
        code: 'not_found',
        detail: '"nosuchsandbox"'
      }
    ]

    test('every method that takes a target, trace, object or sandbox names the missing one', async () => {
      await withService(async (service, learnerId) => {
        await call(service, 'lesson:open', { learnerId, lessonId: 'tour' })
        const sandboxId = await openSandbox(service, learnerId, scenario)
        for (const { method, input, code, detail } of cases) {
          const error = await failure(service, method, input({ learnerId, sandboxId }))
          // Soft, so one run shows every method that lost its answer.
          expect.soft({ method, code: error.code }).toEqual({ method, code })
          expect.soft(error.message, method).toContain(detail)
        }
      })
    })

    test('a terminal on a target the lab does not have says so, as a shell would', async () => {
      await withService(async (service, learnerId) => {
        const sandboxId = await openSandbox(service, learnerId, scenario)
        const ran = await call<ExecResult>(service, 'sandbox:exec', {
          learnerId,
          sandboxId,
          on: 'nosuchpod',
          line: 'ip route'
        })
        expect(ran.exitCode).toBe(127)
        expect(ran.stderr).toContain('"nosuchpod"')
      })
    })
  })

  describe('YAML that expands or nests without end', () => {
    test('a billion-laughs scenario is invalid input naming the file and the aliases', async () => {
      await withService(async (service, learnerId) => {
        const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for (let i = 1; i < 9; i++) {
          const prev = String.fromCharCode(96 + i)
          const next = String.fromCharCode(97 + i)
          lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`)
        }
        const error = await refusedScenario(service, learnerId, 'laughs.yaml', `${lines.join('\n')}\n`)
        expect(error.code).toBe('invalid_input')
        expect(error.message).toMatch(/^laughs\.yaml: .*alias/i)
      })
    })

    test('merge keys doubling an anchor 40 times are invalid input naming the aliases', async () => {
      await withService(async (service, learnerId) => {
        const lines = ['a0: &a0 {k: v}']
        for (let i = 1; i < 40; i++) lines.push(`a${i}: &a${i} {<<: [*a${i - 1}, *a${i - 1}], k${i}: v}`)
        const error = await refusedScenario(service, learnerId, 'merge.yaml', `${lines.join('\n')}\n`)
        expect(error.code).toBe('invalid_input')
        expect(error.message).toMatch(/^merge\.yaml: .*alias/i)
      })
    })

    test('20000 nested flow mappings are invalid input naming the file and the position', async () => {
      await withService(async (service, learnerId) => {
        const content = `${'{a: '.repeat(20000)}1${'}'.repeat(20000)}\n`
        const error = await refusedScenario(service, learnerId, 'deep.yaml', content)
        expect(error.code).toBe('invalid_input')
        expect(error.message).toMatch(/^deep\.yaml: line 1, column \d+: /)
      })
    })
  })

  describe('more pods or nodes than the addresses and the kubelet allow', () => {
    const crowd = (count: number): string =>
      Array.from(
        { length: count },
        (_, i) => `  - { name: p-${i}, node: server, containers: [{ name: c, app: sleep }] }`
      ).join('\n')

    test('300 pods on one node is a scenario error naming the kubelet’s maxPods', async () => {
      await withService(async (service, learnerId) => {
        const content = scenario.replace(/^pods:\n/m, `pods:\n${crowd(300)}\n`)
        const error = await refusedScenario(service, learnerId, 'crowded.yaml', content)
        expect(error.code).toBe('invalid_input')
        expect(error.message).toContain(
          "crowded.yaml: pods[110].node: at most 110 pods on one node (the kubelet's default maxPods), this file puts 301 on server"
        )
      })
    })

    test('100 pods on a node with a /26 podCIDR is a scenario error naming the room it has', async () => {
      await withService(async (service, learnerId) => {
        const content = scenario
          .replace(
            '{ name: server, ip: 172.18.0.2 }',
            '{ name: server, ip: 172.18.0.2, podCIDR: 10.42.200.0/26 }'
          )
          .replace(/^pods:\n/m, `pods:\n${crowd(100)}\n`)
        const error = await refusedScenario(service, learnerId, 'small.yaml', content)
        expect(error.code).toBe('invalid_input')
        expect(error.message).toContain('a /26 podCIDR has room for 61 pods, this file puts 101 on server')
      })
    })

    test('more nodes than the cluster podCIDR has subnets for is a scenario error', async () => {
      await withService(async (service, learnerId) => {
        const content = scenario.replace('podCIDR: 10.42.0.0/16', 'podCIDR: 10.42.0.0/23')
        const error = await refusedScenario(service, learnerId, 'few.yaml', content)
        expect(error.code).toBe('invalid_input')
        expect(error.message).toContain('10.42.0.0/23 holds 2 node podCIDRs of /24, this file has 3 nodes')
      })
    })
  })

  describe('nesting deeper than the lab allows', () => {
    const nestingCap =
      "stopped at 32 levels of $(…), sh -c and kubectl exec inside one another (the lab's limit for one line)"

    test('1300 nested $( in one line stop at the nesting cap, said as the shell says it', async () => {
      await inTerminals(`echo ${'$('.repeat(1300)}echo hi${')'.repeat(1300)}`, (ran, on) => {
        expect(ran.exitCode).toBe(1)
        expect(ran.stderr).toBe(`${prefix(on)}${nestingCap}\n`)
      })
    })

    test('390 nested "$( … )" inside double quotes stop at the same cap', async () => {
      let line = 'echo hi'
      for (let i = 0; i < 390; i++) line = `echo "$(${line})"`
      await inTerminals(line, (ran, on) => {
        expect(ran.exitCode).toBe(1)
        expect(ran.stderr).toBe(`${prefix(on)}${nestingCap}\n`)
      })
    })
  })

  describe('strings that grow past the caps', () => {
    const variableCap = (on: string, name: string): string =>
      `${prefix(on)}variable too large: ${name} (the lab keeps variables up to 1 MiB)\n`

    test('doubling a variable in a loop stops at the variable cap with the shell’s message', async () => {
      await inTerminals('a=x; for i in $(seq 40); do a=$a$a; done', (ran, on) => {
        expect(ran.exitCode).toBe(1)
        expect(ran.stderr).toContain(variableCap(on, 'a'))
        expect(ran.stderr).not.toContain('Invalid string length')
      })
    })

    test('one byte past a full variable is refused by the variable cap', async () => {
      await inTerminals(`${oneMiB}a=\${b}x`, (ran, on) => {
        expect(ran.exitCode).toBe(1)
        expect(ran.stderr).toBe(variableCap(on, 'a'))
      })
    })

    test('a thousand copies of a full variable in one assignment stop before they are built', async () => {
      await inTerminals(`${oneMiB}a=${'$b'.repeat(1000)}`, (ran, on) => {
        expect(ran.exitCode).toBe(1)
        expect(ran.stderr).toBe(variableCap(on, 'a'))
      })
    })

    test('a thousand copies of a full variable as arguments are an argument list too long', async () => {
      await inTerminals(`${oneMiB}echo ${'$b'.repeat(1000)}`, (ran, on) => {
        expect(ran.exitCode).toBe(126)
        expect(ran.stderr).toBe(`${prefix(on)}echo: Argument list too long\n`)
      })
    })

    test('a billion lines of seq are cut at the command output cap', async () => {
      await inTerminals('seq 1 999999999 | tail -n 1', (ran, on) => {
        expect(ran.stderr).toBe(`${prefix(on)}seq: output cut at 1 MiB (the lab's limit for one command)\n`)
        expect(ran.stdout).toMatch(/^\d+\n$/)
      })
    })
  })
})
