import { expect, test } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

// iptables 1.8.9 -L -v -x heads the counters `%8s %10s` and prints each `%8llu`, so the rows sit
// two columns left of the header; without -x both are five wide. Checked on a real namespace.
test('iptables -L -v -x pads each counter to eight columns under an 8+10 header', () => {
  const lab = labShell()
  expect(run(lab, 'client', 'ping -c 2 -W 1 192.168.56.11').exitCode).toBe(0)
  const exact = run(lab, 'node-1', 'iptables -L OUTPUT -v -n -x').stdout.split('\n')
  expect(exact[1]).toMatch(/^ {4}pkts {6}bytes target /)
  const bytes = String(2 * (20 + 8 + 56))
  expect(exact).toContain(
    `${'2'.padStart(8)} ${bytes.padStart(8)} KUBE-FIREWALL  0    --  *      *       0.0.0.0/0            0.0.0.0/0           `
  )
  const short = run(lab, 'node-1', 'iptables -L OUTPUT -v -n').stdout.split('\n')
  expect(short[1]).toMatch(/^ pkts bytes target /)
  expect(short).toContain(
    `${'2'.padStart(5)} ${bytes.padStart(5)} KUBE-FIREWALL  0    --  *      *       0.0.0.0/0            0.0.0.0/0           `
  )
})
