import { describe, expect, it } from 'vitest'
import { labShell } from './shell-fixture.ts'

/** mulberry32: a fixed seed makes every failure reproducible by its line number. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const TARGETS = ['node-1', 'node-2', 'client', 'web-1', 'web-2/app', 'web-3', 'laptop']

/** Valid-looking material: real commands, flags, operators, quotes and addresses. */
const WORDS = [
  'ping',
  '-c',
  '1',
  '-s',
  '1500',
  '-M',
  'do',
  '-W',
  '1',
  'curl',
  '-s',
  '-m',
  '2',
  '-v',
  'traceroute',
  '-n',
  '-T',
  '-p',
  '8080',
  '-q',
  'tcpdump',
  '-i',
  'eth0',
  'cni0',
  'flannel.1',
  '-nn',
  '-e',
  'icmp',
  'port',
  '80',
  'kubectl',
  'get',
  'pods',
  'svc',
  'ep',
  'nodes',
  '-o',
  'wide',
  'describe',
  'logs',
  'exec',
  'web-1',
  '--',
  'crictl',
  'ps',
  'ax',
  'ss',
  '-tlnp',
  'hostname',
  'cat',
  '/etc/hosts',
  '/proc/sys/net/ipv4/ip_forward',
  'grep',
  '-c',
  '-v',
  '-i',
  '-E',
  'ttl',
  'head',
  'tail',
  '-n',
  '-3',
  'wc',
  '-l',
  'sort',
  '-r',
  'uniq',
  'seq',
  '3',
  'echo',
  'true',
  'false',
  'help',
  '10.244.1.3',
  '10.244.2.2',
  '10.96.0.100',
  '10.96.0.200',
  '192.168.56.11',
  '10.96.0.100:81',
  'http://10.244.1.3:8080/',
  '$i',
  '$?',
  '"a b"',
  "'x'",
  'ip',
  'addr',
  'route',
  'link',
  'neigh',
  'show',
  'dev',
  'set',
  'down',
  'up',
  '-d',
  '-br',
  '-s',
  'get',
  'iptables-save',
  'iptables',
  '-t',
  'nat',
  'filter',
  '-L',
  '-F',
  'KUBE-SERVICES',
  'bridge',
  'fdb',
  'del',
  '|',
  '|',
  ';',
  '&&',
  '||',
  '>/dev/null',
  '2>&1',
  'for',
  'i',
  'in',
  'do',
  'done',
  '$(seq',
  '2)',
  '(',
  ')',
  '`',
  '"',
  "'",
  '\\',
  '#',
  '&',
  '!',
  '*',
  '{',
  '}'
]

/** Lines that are malformed by construction: each must get an error message and a non-zero exit. */
const MALFORMED: ((pick: <T>(xs: readonly T[]) => T, word: () => string) => string)[] = [
  (_p, w) => `zz${w().replace(/[^a-z]/g, '')}q ${w()}`,
  (_p, w) => `| ${w()}`,
  (_p, w) => `${w()} |`,
  (_p, w) => `echo ${w()} &&`,
  (_p, w) => `;; ${w()}`,
  (_p, w) => `echo a ; ; ${w()}`,
  (_p, w) => `echo "${w()}`,
  (_p, w) => `echo '${w()}`,
  (_p, w) => `echo $(${w()}`,
  () => 'for',
  (_p, w) => `for i in a; do echo ${w()}`,
  (_p, w) => `echo ${w()} >`,
  (_p, w) => `done ${w()}`,
  (_p, w) => `) ${w()}`,
  (p, w) =>
    `${p(['ip -Q', 'ip frob', 'iptables-save -Q', 'bridge frob', 'grep -Q', 'head -Q', 'tail -Q', 'wc -Q', 'sort -Q', 'uniq -Q', 'seq -Q', 'cat -Q', 'ss -Q', 'ping -Z', 'curl -9', 'traceroute -Z', 'tcpdump -k', 'kubectl --bogus', 'clear x', 'hostname x', 'sh -x'])} ${w()}`,
  (p) =>
    p([
      'ping',
      'curl',
      'grep',
      'seq',
      'head -n x',
      'tail -n',
      'tcpdump -c 0',
      'tcpdump -i nosuchdev',
      'kubectl get nosuchkind',
      'kubectl logs nosuchpod',
      'cat /nonexistent',
      'grep x /nonexistent',
      'ping -c 0 1.2.3.4',
      'curl -m x 1.2.3.4',
      'ping nosuchhost',
      'curl nosuch.host',
      'traceroute nosuch'
    ])
]

describe('shell fuzz', () => {
  it('survives 100,000 random and malformed lines: no exception, errors reported with a non-zero exit', () => {
    const random = rng(20261125)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T
    const word = (): string => pick(WORDS)
    const junk = (): string =>
      String.fromCharCode(
        ...Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 127))
      )
    let shell = labShell()
    let malformed = 0
    for (let n = 0; n < 100_000; n++) {
      // A fresh lab now and then keeps the capture log and conntrack from growing for ever.
      if (n % 20_000 === 0 && n > 0) shell = labShell()
      const kind = random()
      let line: string
      let mustFail = false
      if (kind < 0.4) {
        // Malformed templates get plain words, so a quote in the word cannot close a quote the
        // template leaves open.
        line = pick(MALFORMED)(pick, () => word().replace(/[^A-Za-z0-9./:-]/g, '') || 'x')
        mustFail = true
      } else if (kind < 0.85) line = Array.from({ length: 1 + Math.floor(random() * 7) }, word).join(' ')
      else line = junk()
      const on = pick(TARGETS)
      const session = shell.session(on)!
      let r: ReturnType<typeof session.run>
      try {
        r = session.run(line)
      } catch (e) {
        throw new Error(`line ${n} on ${on} threw: ${JSON.stringify(line)}: ${String(e)}`, { cause: e })
      }
      if (r.stderr.includes('internal error'))
        throw new Error(`line ${n} on ${on}: ${JSON.stringify(line)}: ${r.stderr}`)
      if (mustFail) {
        malformed++
        if (r.exitCode === 0 || r.stderr === '')
          throw new Error(
            `line ${n} on ${on} should have failed: ${JSON.stringify(line)} → exit ${r.exitCode}, stderr ${JSON.stringify(r.stderr)}`
          )
      }
    }
    expect(malformed).toBeGreaterThan(35_000)
  }, 120_000)
})
