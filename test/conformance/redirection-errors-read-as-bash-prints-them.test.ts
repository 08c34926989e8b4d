import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from '../core/shell-fixture.ts'
import { dnsClusterYaml } from '../core/dns-cluster-fixture.ts'
import { claimNetnsPrefix, type NetnsPrefix } from './netns-prefix.ts'
import { realLabUnavailable } from './real-lab.ts'

/**
 * A directory as a redirection's target: bash cannot open it for writing and says so itself,
 * but opens it for reading, so the command reading stdin is the one that fails, in its own
 * words. Compared with the real bash and coreutils on this machine, whose `bash -c` adds
 * `line 1: ` where the lab's interactive shell does not.
 */
const bashAvailable = spawnSync('bash', ['-c', 'true']).status === 0

const sim = labShellFromYaml(dnsClusterYaml({ id: 'redirect-directories' }))

describe.skipIf(!bashAvailable)('redirections from and to directories', () => {
  it.each([
    'cat < /etc',
    'head -1 < /etc',
    'tail -1 < /etc',
    'sort < /etc',
    'uniq < /etc',
    'grep x < /etc',
    'cat < /proc/sys/net',
    'cat < /nope',
    'echo hi > /etc',
    'echo hi >> /etc',
    'echo x > /proc/sys/net',
    'for i in 1; do echo 1; done > /etc',
    'for i in 1; do echo $i; done < /etc',
    'wc < /etc',
    'wc -l < /etc',
    'wc -c < /etc',
    'wc -l - < /etc',
    'wc /etc',
    'wc -l /etc /nope',
    'wc -l /nope /etc'
  ])('%s fails as in bash', (line) => {
    const real = spawnSync('bash', ['-c', line], { encoding: 'utf8' })
    expect(run(sim, 'node-1', line)).toEqual({
      stdout: real.stdout,
      stderr: real.stderr.replaceAll('bash: line 1: ', 'bash: '),
      exitCode: real.status
    })
  })
})

const why = realLabUnavailable()

/**
 * A loop's output redirected to a sysctl the value does not suit: every write of every command
 * in the body fails, each said in its writer's name. Run in a namespace of its own, so the
 * writes reach no sysctl of the machine's.
 */
describe.skipIf(why !== undefined)('a compound command redirected to a sysctl', () => {
  let claim: NetnsPrefix | undefined
  let ns = ''
  beforeAll(async () => {
    claim = await claimNetnsPrefix('pnl-redir')
    ns = `${claim.prefix}-ns`
    expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0)
  })
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns])
    claim?.release()
  })

  it.each([
    'for i in 1 2; do echo x; printf y; done > /proc/sys/net/ipv4/ip_forward',
    'for i in 1; do echo x; echo y; done > /proc/sys/net/ipv4/ip_forward',
    'for i in 1; do echo 1; done > /proc/sys/net/ipv4/nope'
  ])('%s says what bash says', (line) => {
    const real = spawnSync('ip', ['netns', 'exec', ns, 'bash', '-c', line], { encoding: 'utf8' })
    expect(run(sim, 'node-1', line)).toEqual({
      stdout: real.stdout,
      stderr: real.stderr.replaceAll('bash: line 1: ', 'bash: '),
      exitCode: real.status
    })
  })
})
