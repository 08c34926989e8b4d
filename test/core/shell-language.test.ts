import { describe, expect, it } from 'vitest'
import { parseLine, ShellSyntaxError } from '../../src-main/core/shell/parser.ts'
import { promptFor } from '../../src-main/core/shell/shell.ts'
import { resolveTarget } from '../../src-main/core/shell/targets.ts'
import { hasBash, hasBusybox, realBash, realBusybox } from './real-bash.ts'
import { labShell, labShellFromYaml, run } from './shell-fixture.ts'

/** Lines whose output, errors and status must equal real bash + GNU coreutils/grep byte for byte. */
const DIFFERENTIAL = [
  'echo hello world',
  'echo \'single  quoted\' "double  $((1))"'.replace('$((1))', 'x'),
  'echo a"b"c\'d\'\\ e',
  'seq 5',
  'seq 2 4',
  'seq 1 3 10',
  'seq 1.5',
  'seq 3 1',
  'seq',
  'seq x',
  'seq 12 | grep 1',
  'seq 12 | grep -c 1',
  'seq 12 | grep -v 1',
  'seq 30 | grep -E "^(1|2)5$"',
  'seq 30 | grep "^\\(1\\|2\\)5$"',
  'seq 30 | grep -o 2',
  'seq 30 | grep -w 2',
  'seq 30 | grep -n 7',
  'echo Hello | grep -i hello',
  'echo abc | grep -o "b*"',
  'seq 5 | grep 9',
  'seq 5 | grep -c 9',
  'grep',
  'grep -Q x',
  'grep -e',
  'echo a | grep "\\("',
  'echo a | grep -E "("',
  'echo a | grep "[a"',
  'echo a | grep "a\\{x\\}"',
  'grep x /nonexistent',
  'env -i A=1 B=2',
  'env -i -u A A=1 B=2 A=3',
  'env -i -0 A=1 B=2',
  'env -x',
  'env --bogus',
  'env -i -u',
  'printenv -x',
  'printenv --bogus',
  'env -i A=1 | grep -c A',
  'seq 20 | head -3',
  'seq 20 | head -n 2',
  'seq 20 | head -n -17',
  'seq 20 | tail -3',
  'seq 20 | tail -n +18',
  'head -n x',
  'tail -n',
  'head -Q',
  'head /nonexistent',
  'seq 10 | wc -l',
  'echo "a b  c" | wc',
  'echo "a b" | wc -w',
  'wc -Q',
  'seq 10 | sort',
  'seq 10 | sort -n -r',
  'seq 10 | sort -r | head -2',
  'echo "b a b c a" | grep -o "[a-z]" | sort | uniq -c',
  'echo "b a b" | grep -o "[a-z]" | sort -u',
  'seq 3 | uniq -c',
  'sort -Q',
  'uniq -Q',
  'for i in $(seq 3); do echo "n=$i"; done',
  'for i in a b c; do echo $i; done | sort -r',
  'for i in 1 2; do echo $i; done 2>&1 | wc -l',
  'true && echo yes',
  'false && echo yes',
  'false || echo no',
  'false; echo $?',
  '! true; echo $?',
  'seq 3 | grep 4; echo $?',
  'echo $(seq 3)',
  'echo "$(seq 3)"',
  'x=hello; echo $x ${x}',
  'echo -n abc; echo def',
  'echo one; echo two >/dev/null; echo three',
  'grep -Q x 2>/dev/null; echo $?',
  'exit 3',
  'echo a # a comment',
  'export EA=1; printenv EA',
  'EB=1; printenv EB; echo $?',
  'export EC=1; unset EC; printenv EC; echo $? "[$EC]"',
  'export ED; printenv ED; echo $?; ED=2; printenv ED',
  'export 1x=2 2>/dev/null; echo $?',
  'unset 1x; echo $?',
  'unset -v 1x 2>/dev/null; echo $?',
  'export -x 2>/dev/null; echo $?',
  'unset -x 2>/dev/null; echo $?',
  'v="a  b"; export EE=$v; printenv EE',
  'export EF=1; export -n EF; printenv EF; echo $? $EF',
  `export EG='a"b$c\\'; export -p | grep ' EG='`,
  'export EH=1; env -u EH printenv EH; echo $?',
  'export EI=1; sh -c "echo \\$EI"',
  'EJ=1; sh -c "echo [\\$EJ]"',
  'env -i EK=1 printenv EK',
  'env -i printenv; echo $?',
  'env -i A=1 env',
  'echo $HOSTNAME | grep -c "^$(hostname)$"',
  'echo ${NOPE:-fallback} [${NOPE:+set}] ${LANG:+set} ${LANG:-x}',
  'E=; echo [${E:-d}] [${E-d}] [${E:+a}] [${E+a}]',
  'echo ${NOPE:-$(echo sub) and $LANG}',
  'echo "${NOPE:-a   b}" ${NOPE:-a   b}',
  'echo ${NOPE:-}x ${?:-z}',
  'EX=1 env | grep ^EX=',
  'EX=1 EY=$EX env | grep "^E[XY]="; echo "[$EX] [$EY]"',
  'EX=5; EX=2 echo $EX; EX=3 EY=4; echo $EX $EY',
  'EV=1 sh -c "echo \\$EV"; echo "[$EV]"',
  'export EX=1; EX=2 printenv EX; printenv EX',
  'EX=1 EX=2 env | grep -c ^EX=',
  'Q=1 A=1 B=2 C=3 D=4 ZZ=5 env | head -6',
  'EW=1 >/dev/null; echo $EW',
  'for i in 1 2; do EX=$i printenv EX; done',
  'true && EX=a printenv EX | wc -l',
  'echo $SHLVL',
  'echo $BASH_VERSION | grep -c "^5\\.2\\."',
  'echo $$ $PPID | grep -c "^[0-9][0-9]* [0-9][0-9]*$"',
  'echo $RANDOM $RANDOM | grep -cE "^([0-9]{1,4}|[12][0-9]{4}|3[0-2][0-9]{3}) [0-9]+$"',
  'PA=1 export PB; echo "[$PA]"; printenv PA; printenv PB; echo $?',
  'PC=1 export PC; echo "[$PC]"; printenv PC',
  'PD=1 export PE=2; echo "[$PD] [$PE]"; printenv PD PE',
  'PF=0; PF=1 export PF; echo "[$PF]"; printenv PF',
  'PG=1 PH=2 export PG PH PI; echo "[$PG$PH]"; export -p | grep " P[GHI]"',
  'export PJ=0; PJ=1 unset PJ; echo "[$PJ]"; printenv PJ; PK=1 unset -v PK; echo "[$PK]"',
  'export PL=0; PL=1 export -n PL; echo "[$PL]"; printenv PL',
  'export PM=0; PM=1 export -n PM=5; echo $PM; printenv PM; PN=1 export -n PN=6; echo $PN; printenv PN',
  'PO=1 export -p | grep -c " PO="; PP=1 :; PQ=1 true; echo "[$PP$PQ]"',
  "sh -c 'nosuch'",
  "bash -c 'nosuch'",
  "sh -c 'bash -c nosuch'",
  "bash -c 'sh -c nosuch'",
  "sh -c 'echo a; nosuch'",
  "sh -c 'nosuch' arg0; bash -c 'nosuch' myname",
  "bash -c 'true\nnosuch'; sh -c 'true\n\nnosuch'",
  "sh -c 'echo ${x:?unset}; echo no'",
  "bash -c 'echo ${x:?unset}; echo no'",
  "sh -c 'echo |'",
  "bash -c 'echo |'",
  "sh -c 'echo )'",
  "bash -c 'echo )' myname",
  "sh -c 'echo \"abc'",
  "bash -c 'echo \"abc'",
  "sh -c 'echo $('",
  "bash -c 'echo $('",
  'bash -c',
  'sh -c',
  'RANDOM=5; echo $RANDOM $RANDOM $RANDOM',
  'for s in 0 1 1337 -1 4294967301 2147483647 99999999999 " 7 " 0x10 010 ""; do RANDOM=$s; echo $RANDOM $RANDOM; done',
  'RANDOM=5; echo $(echo $RANDOM) >/dev/null; echo $RANDOM | wc -l; echo $RANDOM',
  'echo ${EZ:=a  b} "$EZ"; echo ${EZ:=c}',
  'E=; echo [${E:=d}] [$E]; F=; echo [${F=d}] [$F]',
  'echo ${NOPE=x} $NOPE ${LANG:=no}',
  'echo ${LANG:?no} ${LANG?no}; E=; echo [${E?no}]'
]

/**
 * Expansion errors. A non-interactive bash names the line (`bash: line 1: `) and exits (status
 * 127 in 5.2); the lab's terminal is interactive, where bash names no line and abandons only the
 * line, status 1.
 */
const EXPANSION_ERRORS = [
  'echo a; echo ${ZA:?unset here}; echo b',
  'echo ${ZA?}',
  'echo ${ZA:?}',
  'E=; echo ${E:?}',
  'E=; echo ${E:?empty $LANG}',
  'echo ${1:=x}'
]

describe.runIf(hasBash)('the lab shell agrees with real bash and coreutils', () => {
  const shell = labShell()
  it.each(DIFFERENTIAL)('%s', (line) => {
    expect(run(shell, 'node-1', line)).toEqual(realBash(line))
  })
})

/**
 * What real bash prints for a line that fails, as the lab's interactive terminal words it: a
 * non-interactive bash names the line (`bash: line 1: `), an interactive one does not.
 */
function failingAsInteractive(line: string): ReturnType<typeof realBash> {
  const real = realBash(line)
  expect(real.exitCode).not.toBe(0)
  return { ...real, stderr: real.stderr.replace(/^bash: line 1: /gm, 'bash: ') }
}

/** Lines BusyBox sh must answer as the lab's busybox containers do. */
const BUSYBOX_DIFFERENTIAL = [
  'X=1 export Y; echo "[$X]"; printenv X Y; echo $?',
  'X=1 :; echo "[$X]"; printenv X; echo $?',
  'X=1 true; echo "[$X]"',
  'export X=0; X=1 unset X; echo "[$X]"; printenv X; echo $?'
]

describe.runIf(hasBusybox)('busybox containers agree with real BusyBox sh', () => {
  it.each(BUSYBOX_DIFFERENTIAL)('%s', (line) => {
    expect(run(busyboxPod(), 'web/tiny', line)).toEqual(realBusybox(line))
  })
})

/**
 * Commands found by PATH or typed by path, and what command -v, type and which say of them:
 * Debian 12's paths, which this machine shares. Each line ends failing, so its errors count.
 */
const COMMAND_LOOKUP = [
  '/usr/bin/seq 2; /bin/seq 1; /usr/sbin/seq 1',
  './x',
  '/usr/bin/nosuch',
  'PATH=/nonexistent seq 2',
  'X=/usr/bin/seq; $X 1; PATH=/x command -v seq',
  'command -v seq ip sysctl traceroute curl tcpdump conntrack nft iptables ping dig; command -v echo export nosuch; type -P seq nosuch',
  'command -V seq; command -V echo; command -V nosuch',
  'type seq echo printf nosuch',
  'type -t seq echo nosuch',
  'which seq echo ip nosuch',
  'command seq 1; command -v /usr/bin/seq /nope; type /usr/bin/seq; which /usr/bin/seq ./x'
]

describe.runIf(hasBash)('commands are found by PATH and by path as bash finds them on Debian 12', () => {
  const shell = labShell()
  it.each(COMMAND_LOOKUP)('%s', (line) => {
    expect(run(shell, 'node-1', line)).toEqual(failingAsInteractive(line))
  })
})

describe.runIf(hasBash)('expansion errors print what real bash prints and end the line with status 1', () => {
  const shell = labShell()
  it.each(EXPANSION_ERRORS)('%s', (line) => {
    expect(run(shell, 'node-1', line)).toEqual({ ...failingAsInteractive(line), exitCode: 1 })
  })
})

describe('bash syntax errors as an interactive bash prints them', () => {
  const shell = labShell()
  it.each([
    ['| foo', "bash: syntax error near unexpected token `|'\n"],
    ['echo a ; ; echo b', "bash: syntax error near unexpected token `;'\n"],
    [';;', "bash: syntax error near unexpected token `;;'\n"],
    ['|| x', "bash: syntax error near unexpected token `||'\n"],
    [')', "bash: syntax error near unexpected token `)'\n"],
    ['do', "bash: syntax error near unexpected token `do'\n"],
    ['done', "bash: syntax error near unexpected token `done'\n"],
    ['for', "bash: syntax error near unexpected token `newline'\n"],
    ['echo a >', "bash: syntax error near unexpected token `newline'\n"],
    ['ls &&', 'bash: syntax error: unexpected end of file\n'],
    ['echo a |', 'bash: syntax error: unexpected end of file\n'],
    ['for i in 1 2; do echo $i', 'bash: syntax error: unexpected end of file\n'],
    ['echo "abc', 'bash: unexpected EOF while looking for matching `"\'\n'],
    ["echo 'abc", "bash: unexpected EOF while looking for matching `''\n"],
    ['echo $(seq 2', "bash: unexpected EOF while looking for matching `)'\n"],
    ['echo a | grep "a\\"', 'bash: unexpected EOF while looking for matching `"\'\n']
  ])('%s', (line, stderr) => {
    expect(run(shell, 'node-1', line)).toEqual({ stdout: '', stderr, exitCode: 2 })
  })

  it('refuses an invalid loop variable when the loop runs, exit 1', () => {
    expect(run(shell, 'node-1', 'for 1 in a; do echo x; done')).toEqual({
      stdout: '',
      stderr: "bash: `1': not a valid identifier\n",
      exitCode: 1
    })
  })
})

// The lab's images are Debian-based, so their shell is bash; a busybox sidecar has BusyBox sh.
const busyboxPod = () =>
  labShellFromYaml(`
formatVersion: 1
id: mixed-images
cluster: { seed: 1 }
nodes: [{ name: node-1, ip: 192.168.56.11 }]
pods:
  - name: web
    node: node-1
    containers:
      - { name: app, image: podnet/http, app: http, port: 8080 }
      - { name: tiny, image: docker.io/library/busybox:1.36, app: sleep }
`)

describe('dialects and prompts', () => {
  const shell = labShell()
  const mixed = busyboxPod()

  it('answers an unknown command as bash on nodes and in Debian-based pods, BusyBox sh in busybox, exit 127', () => {
    expect(run(shell, 'node-1', 'nosuch')).toEqual({
      stdout: '',
      stderr: 'bash: nosuch: command not found\n',
      exitCode: 127
    })
    expect(run(shell, 'client', 'nosuch')).toEqual({
      stdout: '',
      stderr: 'bash: nosuch: command not found\n',
      exitCode: 127
    })
    expect(run(mixed, 'web/tiny', 'nosuch')).toEqual({
      stdout: '',
      stderr: 'sh: nosuch: not found\n',
      exitCode: 127
    })
    expect(run(mixed, 'web/tiny', 'echo a |').stderr).toBe('sh: syntax error: unexpected end of file\n')
    expect(run(mixed, 'web/tiny', '| x').stderr).toBe('sh: syntax error: unexpected "|"\n')
  })

  it("runs kubectl exec's sh -c as dash, whose errors kubectl follows with the status", () => {
    expect(run(shell, 'node-1', 'kubectl exec client -- sh -c nosuch')).toEqual({
      stdout: '',
      stderr: 'sh: 1: nosuch: not found\ncommand terminated with exit code 127\n',
      exitCode: 127
    })
    expect(run(mixed, 'web/tiny', 'sh -c nosuch; bash -c nosuch')).toEqual({
      stdout: '',
      stderr: 'sh: nosuch: not found\nsh: bash: not found\n',
      exitCode: 127
    })
  })

  it('finds every BusyBox applet in /bin, where the busybox image links them', () => {
    expect(run(mixed, 'web/tiny', 'which seq ip; command -v sysctl; type ping; /usr/bin/seq 1')).toEqual({
      stdout: '/bin/seq\n/bin/ip\n/bin/sysctl\nping is /bin/ping\n',
      stderr: 'sh: /usr/bin/seq: not found\n',
      exitCode: 127
    })
  })

  it('lists processes as BusyBox ps does in a busybox container', () => {
    expect(run(mixed, 'web/tiny', 'ps').stdout).toBe(
      'PID   USER     TIME  COMMAND\n    1 root      0:00 sleep infinity\n    7 root      0:00 sh\n   13 root      0:00 ps\n'
    )
  })

  it('hides node tools inside pods', () => {
    expect(run(shell, 'web-1', 'kubectl get pods').stderr).toBe('bash: kubectl: command not found\n')
    expect(run(mixed, 'web/tiny', 'kubectl get pods').stderr).toBe('sh: kubectl: not found\n')
    expect(run(shell, 'laptop', 'crictl ps').stderr).toBe('bash: crictl: command not found\n')
  })

  it('exposes prompts per target: a login on a node in ~, a container shell in /', () => {
    const lab = shell.lab
    expect(promptFor(resolveTarget(lab, 'node-1')!)).toBe('root@node-1:~# ')
    expect(promptFor(resolveTarget(lab, 'laptop')!)).toBe('root@laptop:~# ')
    expect(promptFor(resolveTarget(lab, 'web-1')!)).toBe('root@web-1:/# ')
    expect(promptFor(resolveTarget(lab, 'web-1/app')!)).toBe('root@web-1:/# ')
    expect(promptFor(resolveTarget(mixed.lab, 'web')!)).toBe('root@web:/# ')
    expect(promptFor(resolveTarget(mixed.lab, 'web/tiny')!)).toBe('/ # ')
    expect(resolveTarget(lab, 'web-1/nope')).toBeUndefined()
  })

  it('keeps $? and files written with > between lines of one terminal', () => {
    const s = shell.session('node-1')!
    s.run('false')
    expect(s.run('echo $?').stdout).toBe('1\n')
    s.run('seq 3 > nums.txt; echo 4 >> nums.txt')
    expect(s.run('wc -l nums.txt').stdout).toBe('4 nums.txt\n')
    expect(s.run('cat /root/nums.txt | tail -1').stdout).toBe('4\n')
  })

  it('reports constructs it does not run instead of misreading them', () => {
    expect(run(shell, 'node-1', 'if true; then echo x; fi')).toEqual({
      stdout: '',
      stderr: 'bash: if: compound commands other than for loops are not available in this lab shell\n',
      exitCode: 2
    })
  })

  it('stops runaway loops with a message', () => {
    const r = run(shell, 'node-1', 'for i in $(seq 200000); do true; done')
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/stopped after 100000 commands/)
    const nested = run(
      shell,
      'node-1',
      "for i in $(seq 1000); do sh -c 'for j in $(seq 1000); do true; done'; done"
    )
    expect(nested.exitCode).toBe(1)
    expect(nested.stderr).toMatch(/stopped after 100000 commands/)
  })
})

describe('parser', () => {
  it('parses pipelines, lists and loops into the AST the executor walks', () => {
    const list = parseLine('for i in $(seq 2); do ping -c1 x | grep ttl; done && echo ok')
    expect(list).toHaveLength(1)
    const first = list[0]!.first.commands[0]!
    expect(first.kind).toBe('for')
    expect(list[0]!.rest[0]!.op).toBe('&&')
  })

  it('throws a ShellSyntaxError carrying the offending token', () => {
    try {
      parseLine('echo | | x')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ShellSyntaxError)
      expect((e as ShellSyntaxError).token).toBe('|')
    }
  })
})
