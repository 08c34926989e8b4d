import { expect, test } from 'vitest'
import type { OutputChunk } from '../../src-main/core/shell/shell.ts'
import { labShell, run } from './shell-fixture.ts'

const text = (chunks: readonly OutputChunk[]): string => chunks.map((c) => c.text).join('')
const flagsOf = (t: string): string[] => [...t.matchAll(/Flags \[([^\]]+)\]/g)].map((m) => m[1] ?? '')
const CURL_FLAGS = ['S', 'S.', '.', 'P.', '.', 'P.', '.', 'F.', 'F.', '.']

test('Ctrl+Z stops a running tcpdump as bash tells it, the line goes on with 148, and fg shows what it captured meanwhile', () => {
  const s = labShell()
  const t = s.liveTerminal('node-1', { schedule: () => () => undefined })!
  expect(t.run('tcpdump -ni cni0 tcp; echo status $?').running).toBe(true)
  t.suspend()
  expect(t.settle()).toEqual({
    chunks: [
      { stream: 'stderr', text: '\n[1]+  Stopped                 tcpdump -ni cni0 tcp\n' },
      { stream: 'stdout', text: 'status 148\n' }
    ],
    ended: { exitCode: 0 }
  })
  run(s, 'client', 'curl -s 10.96.0.100')
  expect(t.settle().chunks).toEqual([])
  expect(t.run('jobs -l').stdout).toBe('[1]+ 3100 Stopped                 tcpdump -ni cni0 tcp\n')
  const fg = t.run('fg')
  expect(fg.running).toBe(true)
  expect(fg.stdout.startsWith('tcpdump -ni cni0 tcp\n')).toBe(true)
  expect(flagsOf(fg.stdout)).toEqual(CURL_FLAGS)
  t.suspend()
  expect(t.settle()).toEqual({
    chunks: [{ stream: 'stderr', text: '\n[1]+  Stopped                 tcpdump -ni cni0 tcp\n' }],
    ended: { exitCode: 148 }
  })
})

test('bg lets a stopped capture print again behind the prompt; without a live terminal there is no job control', () => {
  const s = labShell()
  const t = s.liveTerminal('node-1', { schedule: () => () => undefined })!
  t.run('tcpdump -ni cni0 tcp')
  t.suspend()
  t.settle()
  expect(t.run('bg; jobs')).toMatchObject({
    stdout: '[1]+ tcpdump -ni cni0 tcp &\n[1]+  Running                 tcpdump -ni cni0 tcp &\n',
    exitCode: 0
  })
  run(s, 'client', 'curl -s 10.96.0.100')
  expect(flagsOf(text(t.settle().chunks))).toEqual(CURL_FLAGS)
  expect(t.run('bg %1').stderr).toBe('bash: bg: job 1 already in background\n')
  t.run('kill %1')
  expect(t.run('fg %2').stderr).toBe('bash: fg: %2: no such job\n')
  expect(run(s, 'node-1', 'fg; bg')).toEqual({
    stdout: '',
    stderr: 'bash: fg: no job control\nbash: bg: no job control\n',
    exitCode: 1
  })
})
