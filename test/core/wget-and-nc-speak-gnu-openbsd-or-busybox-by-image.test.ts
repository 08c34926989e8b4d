import { describe, expect, test } from 'vitest'
import { labShell, labShellFromYaml, run } from './shell-fixture.ts'
import { readFileSync } from 'node:fs'
import { checkCommandTargets, type LessonText } from '../../src-main/core/lesson/prose-commands.ts'
import { fixtureScenario } from './sim-lab.ts'

/** two-node-vxlan with a busybox pod `box` on node-2. */
const withBox = (): ReturnType<typeof labShell> =>
  labShellFromYaml(
    readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8').replace(
      'services:\n',
      '  - name: box\n    node: node-2\n    labels: { app: box }\n    containers: [{ name: shell, image: busybox, app: sleep }]\nservices:\n'
    )
  )

const WEB_1 = 'http://10.244.1.3:8080/'
const dated = (text: string): string =>
  text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, '<date>').replace(/ +[\d.]+[ KMG]=0s/, ' <rate>=0s')

describe('GNU Wget in the Debian image', () => {
  test('saves the body as index.html, then index.html.1, logging each step to stderr', () => {
    const s = labShell('two-node-vxlan')
    const first = run(s, 'client', `wget ${WEB_1}`)
    expect(first.stdout).toBe('')
    expect(first.exitCode).toBe(0)
    expect(dated(first.stderr).replace(/\([\d.]+ [KMG]?B\/s\)/, '(<rate>)')).toBe(
      [
        `--<date>--  ${WEB_1}`,
        'Connecting to 10.244.1.3:8080... connected.',
        'HTTP request sent, awaiting response... 200 OK',
        'Length: 6 [text/plain]',
        'Saving to: ‘index.html’',
        '',
        `     0K${' '.repeat(55)}100% <rate>=0s`,
        '',
        '<date> (<rate>) - ‘index.html’ saved [6/6]',
        '',
        ''
      ].join('\n')
    )
    expect(run(s, 'client', `wget -q ${WEB_1} && cat index.html index.html.1`).stdout).toBe('web-1\nweb-1\n')
  })

  test('-qO- writes only the body; -S shows the answer headers even with -q', () => {
    const s = labShell('two-node-vxlan')
    expect(dated(run(s, 'client', `wget --spider ${WEB_1}`).stderr)).toBe(
      [
        'Spider mode enabled. Check if remote file exists.',
        `--<date>--  ${WEB_1}`,
        'Connecting to 10.244.1.3:8080... connected.',
        'HTTP request sent, awaiting response... 200 OK',
        'Length: 6 [text/plain]',
        'Remote file exists.',
        '',
        ''
      ].join('\n')
    )
    expect(run(s, 'client', `wget -qO- ${WEB_1}`)).toMatchObject({
      stdout: 'web-1\n',
      stderr: '',
      exitCode: 0
    })
    expect(run(s, 'client', `wget -q -S -O /dev/null ${WEB_1}`).stderr).toBe(
      '  HTTP/1.1 200 OK\n  Content-Type: text/plain\n  Content-Length: 6\n  Connection: close\n'
    )
  })

  test('a refusal is final with exit 4; a timeout is tried again after a pause of one second', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'wget http://10.244.1.3:81/').stderr).toMatch(
      /Connecting to 10\.244\.1\.3:81\.\.\. failed: Connection refused\.\n$/
    )
    expect(run(s, 'client', 'wget -q http://10.244.1.3:81/')).toEqual({ stdout: '', stderr: '', exitCode: 4 })
    // A missing neighbour is as final as a refusal: no "Retrying." and no "Giving up.".
    expect(run(s, 'client', 'wget http://10.244.2.99:8080/')).toMatchObject({
      stderr: expect.stringMatching(/:8080\.\.\. failed: No route to host\.\n$/) as unknown,
      exitCode: 4
    })
    run(s, 'node-2', 'iptables -I FORWARD -p tcp --dport 9999 -j DROP')
    const t0 = s.lab.clock.nowMs
    const r = run(s, 'client', 'wget -T 2 -t 2 http://10.244.2.2:9999/')
    expect(r.exitCode).toBe(4)
    expect(dated(r.stderr)).toBe(
      [
        '--<date>--  http://10.244.2.2:9999/',
        'Connecting to 10.244.2.2:9999... failed: Connection timed out.',
        'Retrying.',
        '',
        '--<date>--  (try: 2)  http://10.244.2.2:9999/',
        'Connecting to 10.244.2.2:9999... failed: Connection timed out.',
        'Giving up.',
        '',
        ''
      ].join('\n')
    )
    expect(Math.round((s.lab.clock.nowMs - t0) / 1000)).toBe(5)
  })

  test('a name no resolver knows ends before any connection, exit 4', () => {
    const s = labShell('two-node-vxlan')
    const r = run(s, 'client', 'wget http://nosuch/')
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(
      /Resolving nosuch \(nosuch\)\.\.\. failed: .*\.\nwget: unable to resolve host address ‘nosuch’\n$/
    )
  })

  test('usage errors: no URL exits 1, an unknown option 2, a bad time period 2', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'wget')).toEqual({
      stdout: '',
      stderr: "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n",
      exitCode: 1
    })
    expect(run(s, 'client', 'wget -Z x').stderr).toMatch(/^wget: invalid option -- 'Z'\n/)
    expect(run(s, 'client', 'wget -T x y')).toEqual({
      stdout: '',
      stderr: 'wget: --timeout: Invalid time period ‘x’\n',
      exitCode: 2
    })
  })
})

describe('netcat-openbsd in the Debian image', () => {
  test('-zv names the service of each port of a range and reports refusals; exit 0 once one answered', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'nc -zv 10.244.1.3 8079-8081')).toMatchObject({
      stdout: '',
      stderr: [
        'nc: connect to 10.244.1.3 port 8079 (tcp) failed: Connection refused',
        'Connection to 10.244.1.3 8080 port [tcp/http-alt] succeeded!',
        'nc: connect to 10.244.1.3 port 8081 (tcp) failed: Connection refused',
        ''
      ].join('\n'),
      exitCode: 0
    })
    expect(run(s, 'client', 'nc -z 10.244.1.3 81')).toMatchObject({ stderr: '', exitCode: 1 })
  })

  test('-w bounds the connect: a dropped SYN times out with "Operation now in progress"', () => {
    const s = labShell('two-node-vxlan')
    run(s, 'node-2', 'iptables -I FORWARD -p tcp --dport 9999 -j DROP')
    expect(run(s, 'client', 'nc -zv -w 2 10.244.2.2 9999')).toMatchObject({
      stderr: 'nc: connect to 10.244.2.2 port 9999 (tcp) timed out: Operation now in progress\n',
      exitCode: 1
    })
  })

  test('the scan is a whole connection: the server sees the handshake and both FINs', () => {
    const s = labShell('two-node-vxlan')
    run(s, 'client', 'nc -z 10.244.1.3 8080')
    const flags = run(s, 'web-1', 'tcpdump -nn -i eth0 tcp')
      .stdout.trim()
      .split('\n')
      .map((l) => /Flags \[([^\]]+)\]/.exec(l)?.[1])
    expect(flags).toEqual(['S', 'S.', '.', 'F.', 'F.', '.'])
  })

  test('a UDP scan of a closed port prints nothing and exits 1; port errors name the port', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', 'nc -zvu 10.244.1.3 5353')).toMatchObject({ stderr: '', exitCode: 1 })
    expect(run(s, 'client', 'nc -zv 10.244.1.3 99999').stderr).toBe('nc: port number too large: 99999\n')
    expect(run(s, 'client', 'nc -zv 10.244.1.3').stderr).toBe('nc: missing port number\n')
  })

  test('piped data is the request and the answer is printed; without data nc says it cannot type', () => {
    const s = labShell('two-node-vxlan')
    expect(run(s, 'client', "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 10.244.1.3 8080").stdout).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nweb-1\n'
    )
    expect(run(s, 'client', 'nc 10.244.1.3 8080').exitCode).toBe(1)
  })
})

describe('BusyBox in a busybox pod', () => {
  test('wget prints Connecting to, saving to, one progress bar, and refuses to overwrite', () => {
    const s = withBox()
    expect(run(s, 'box', `wget ${WEB_1}`)).toMatchObject({
      stderr: [
        'Connecting to 10.244.1.3:8080 (10.244.1.3:8080)',
        "saving to 'index.html'",
        `index.html           100% |${'*'.repeat(32)}|     6  0:00:00 ETA`,
        "'index.html' saved",
        ''
      ].join('\n'),
      exitCode: 0
    })
    expect(run(s, 'box', `wget -q ${WEB_1}`)).toMatchObject({
      stderr: "wget: can't open 'index.html': File exists\n",
      exitCode: 1
    })
  })

  test('wget errors exit 1: a refusal, a bad address, a -T timeout', () => {
    const s = withBox()
    expect(run(s, 'box', 'wget -qO- http://10.244.1.3:81/')).toMatchObject({
      stderr: "wget: can't connect to remote host (10.244.1.3): Connection refused\n",
      exitCode: 1
    })
    expect(run(s, 'box', 'wget -q http://nosuch/')).toMatchObject({
      stderr: "wget: bad address 'nosuch'\n",
      exitCode: 1
    })
    run(s, 'node-1', 'iptables -I FORWARD -p tcp --dport 9999 -j DROP')
    expect(run(s, 'box', 'wget -q -T 2 http://10.244.1.3:9999/')).toMatchObject({
      stderr: 'wget: download timed out\n',
      exitCode: 1
    })
  })

  test('nc -zv says open; a refusal shows only with -vv', () => {
    const s = withBox()
    expect(run(s, 'box', 'nc -zv 10.244.1.3 8080')).toMatchObject({
      stderr: '10.244.1.3 (10.244.1.3:8080) open\n',
      exitCode: 0
    })
    expect(run(s, 'box', 'nc -zv 10.244.1.3 81')).toMatchObject({ stderr: '', exitCode: 1 })
    expect(run(s, 'box', 'nc -zvv 10.244.1.3 81')).toMatchObject({
      stderr: 'nc: 10.244.1.3 (10.244.1.3:81): Connection refused\n',
      exitCode: 1
    })
    expect(run(s, 'box', 'nc -zv nosuch 80')).toMatchObject({
      stderr: "nc: bad address 'nosuch'\n",
      exitCode: 1
    })
  })

  test('curl, tcpdump and the other tools the image lacks are not found, and help does not list them', () => {
    const s = withBox()
    for (const tool of ['curl', 'tcpdump', 'dig', 'host', 'getent', 'ss'])
      expect(run(s, 'box', `${tool} x`)).toMatchObject({ stderr: `sh: ${tool}: not found\n`, exitCode: 127 })
    const help = run(s, 'box', 'help').stdout
    expect(help).toMatch(/^ {2}wget /m)
    expect(help).not.toMatch(/^ {2}curl /m)
    expect(run(s, 'client', 'help').stdout).toMatch(/^ {2}curl /m)
    expect(s.run('box', 'curl x')?.elsewhere?.targets).toEqual([
      'node-1',
      'node-2',
      'client',
      'web-1',
      'web-2',
      'web-3',
      'laptop'
    ])
  })

  test('a lesson that runs curl in a busybox pod is refused by the checker; wget there passes', () => {
    const scenario = fixtureScenario('two-node-deployment')
    const text = (markdown: string): LessonText[] => [{ file: 'l.en.md', path: '## intro', markdown }]
    expect(checkCommandTargets(text('Try `client$ curl -s web`.'), scenario).map((i) => i.reason)).toEqual([
      '`client$ curl -s web`: client has no curl (the busybox image has no such applet)'
    ])
    expect(checkCommandTargets(text('Try `client$ wget -qO- web`.'), scenario)).toEqual([])
  })
})
