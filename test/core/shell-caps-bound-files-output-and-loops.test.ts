import { describe, expect, it } from 'vitest'
import { SHELL_LIMITS } from '../../src-main/core/shell/limits.ts'
import { labShell, run } from './shell-fixture.ts'

/**
 * The lab runs inside the host, so a line that a real terminal would need Ctrl-C for, or a
 * file that would fill a real disk, stops at one of SHELL_LIMITS and says which. Uncapped, each
 * line below would take seconds to minutes or hundreds of MB; here it ends with the cap's message.
 */

describe('files written in a terminal', () => {
  it('keep at most 1 MiB each: the rest of the write is refused, the status is 1', () => {
    const shell = labShell()
    expect(run(shell, 'node-1', 'for i in 1 2 3; do seq 1 100000 >> /tmp/x; done')).toEqual({
      stdout: '',
      stderr: 'bash: file too large: /tmp/x (the lab keeps files up to 1 MiB)\n'.repeat(2),
      exitCode: 1
    })
    expect(run(shell, 'node-1', 'wc -c /tmp/x').stdout).toBe('1048576 /tmp/x\n')
    // Truncating the file gives the space back.
    expect(run(shell, 'node-1', 'echo small > /tmp/x; cat /tmp/x')).toEqual({
      stdout: 'small\n',
      stderr: '',
      exitCode: 0
    })
  })

  it('keep at most 8 MiB together, across every terminal of the lab', () => {
    const shell = labShell()
    for (const node of ['node-1', 'node-2'])
      expect(run(shell, node, 'for i in 1 2 3 4; do seq 1 150000 > /tmp/f$i; done').exitCode).toBe(0)
    expect(run(shell, 'laptop', 'seq 1 150000 > /tmp/more')).toEqual({
      stdout: '',
      stderr: 'bash: no space left for /tmp/more (the lab keeps 8 MiB of files and variables in all)\n',
      exitCode: 1
    })
  })

  it('that sh -c or kubectl exec write are gone, and their space with them, when the line ends', () => {
    const shell = labShell()
    for (let i = 0; i < 12; i++)
      expect(run(shell, 'node-1', "sh -c 'seq 1 150000 > /tmp/a; wc -c /tmp/a'").stdout).toBe(
        '938895 /tmp/a\n'
      )
  })

  it('tcpdump -w keeps a capture only up to the file cap', () => {
    const shell = labShell()
    run(shell, 'node-1', 'ping -q -s 1400 -c 1000 -i 0 10.244.2.2')
    expect(run(shell, 'node-1', 'tcpdump -w x.pcap -i any')).toEqual({
      stdout: '',
      stderr: 'tcpdump: file too large: /root/x.pcap (the lab keeps files up to 1 MiB)\n',
      exitCode: 1
    })
  })
})

describe('output, variables and arguments', () => {
  it('one command prints at most 1 MiB: seq stops there and the shell says so', () => {
    const shell = labShell()
    expect(run(shell, 'node-1', 'seq 1 999999 | wc -l')).toEqual({
      stdout: '165668\n',
      stderr: "bash: seq: output cut at 1 MiB (the lab's limit for one command)\n",
      exitCode: 0
    })
    expect(run(shell, 'node-1', 'seq -w 1 200000 | tail -1').stdout).toBe('149796\n')
  })

  it('a loop of huge seqs into /dev/null ends (it used to take 17-19 s)', () => {
    const shell = labShell()
    const r = run(shell, 'node-1', 'for i in $(seq 1 40); do seq 1 999999 >/dev/null; done')
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe("bash: seq: output cut at 1 MiB (the lab's limit for one command)\n".repeat(40))
  })

  it("what a line's commands write and read is capped even where nobody sees it", () => {
    const shell = labShell()
    run(shell, 'node-1', 'seq 1 150000 > /tmp/a')
    const r = run(shell, 'node-1', 'for i in $(seq 1 100); do cat /tmp/a >/dev/null 2>&1; done')
    expect(r).toEqual({
      stdout: '',
      stderr: "bash: stopped after its commands wrote and read 64 MiB (the lab's limit for one line)\n",
      exitCode: 1
    })
  })

  it('a variable holds at most 1 MiB (x=$x$x doubles no further)', () => {
    const shell = labShell()
    const r = run(shell, 'node-1', 'x=ab; for i in $(seq 1 24); do x=$x$x; done')
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toBe('bash: variable too large: x (the lab keeps variables up to 1 MiB)\n'.repeat(5))
    expect(run(shell, 'node-1', 'echo -n $x | wc -c').stdout).toBe(`${SHELL_LIMITS.variableBytes}\n`)
  })

  it("a command's arguments stop at ARG_MAX, as execve does", () => {
    const shell = labShell()
    run(shell, 'node-1', 'y=$(seq 1 100000)')
    expect(run(shell, 'node-1', `echo ${'$y '.repeat(8)}`)).toEqual({
      stdout: '',
      stderr: 'bash: echo: Argument list too long\n',
      exitCode: 126
    })
    expect(run(shell, 'node-1', `for i in ${'$y '.repeat(8)}; do true; done`)).toEqual({
      stdout: '',
      stderr: 'bash: for: Argument list too long\n',
      exitCode: 1
    })
  })
})

describe('loops, nesting and long lines', () => {
  it('loops stop after 100,000 commands in one line, nested shells included', () => {
    const shell = labShell()
    const r = run(shell, 'node-1', 'for i in $(seq 200000); do true; done')
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/bash: stopped after 100000 commands \(the lab's limit for one line\)\n$/)
  })

  it('$(…) nests at most 32 deep; 20 is fine', () => {
    const shell = labShell()
    const nest = (n: number): string => `echo ${'$(echo '.repeat(n)}x${')'.repeat(n)}`
    expect(run(shell, 'node-1', nest(20))).toEqual({ stdout: 'x\n', stderr: '', exitCode: 0 })
    expect(run(shell, 'node-1', nest(3000))).toEqual({
      stdout: '',
      stderr:
        "bash: stopped at 32 levels of $(…), sh -c and kubectl exec inside one another (the lab's limit for one line)\n",
      exitCode: 1
    })
  })

  it('a line too deep for the engine itself ends with a message instead of an exception', () => {
    const shell = labShell()
    const deep = `${'for a in 1; do '.repeat(5000)}echo hi${'; done'.repeat(5000)}`
    const r = run(shell, 'node-1', `sh -c '${deep}'`)
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/^bash: stopped: .+ \(the line is too large for the lab\)\n$/)
  })
})

describe('traffic and cluster size', () => {
  it('ping sends at most 1000 echo requests and says it stopped early', () => {
    const shell = labShell()
    const r = run(shell, 'node-1', 'ping -c 100000 -i 0 10.244.2.2')
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe(
      'ping: stopped after 1000 of 100000 echo requests (the lab sends at most 1000 per ping)\n'
    )
    expect(r.stdout).toMatch(/\n1000 packets transmitted, 1000 received, 0% packet loss, time \d+ms\n/)
  })

  it("ping refuses an interval iputils can't hold, as iputils does", () => {
    expect(run(labShell(), 'node-1', 'ping -i 3000000 -c 1 10.244.2.2')).toEqual({
      stdout: '',
      stderr: 'ping: bad timing interval: 3000000\n',
      exitCode: 2
    })
  })

  it('one line sends at most 5000 packets', () => {
    const shell = labShell()
    expect(
      run(shell, 'node-1', 'for i in 1 2 3 4 5 6; do ping -q -c 1000 -i 0 10.244.2.2 >/dev/null; done')
    ).toEqual({
      stdout: '',
      stderr: "bash: stopped after 5000 packets (the lab's limit for one line)\n",
      exitCode: 1
    })
  })

  it('kubectl scale stays within the pods a scenario may have', () => {
    const shell = labShell('two-node-deployment')
    expect(run(shell, 'node-1', 'kubectl scale deployment web --replicas=100000')).toEqual({
      stdout: '',
      stderr:
        "error: the lab runs at most 220 pods on 2 nodes (110 per node, the kubelet's default maxPods, and 5000 in all); scaling web to 100000 would make 100001\n",
      exitCode: 1
    })
    expect(run(shell, 'node-1', 'kubectl scale deployment web --replicas=5').stdout).toBe(
      'deployment.apps/web scaled\n'
    )
  })
})
