import { readFileSync, readdirSync } from 'node:fs'
import { parseScenario } from './src-main/core/scenario/parse-scenario.ts'
import { buildLab } from './src-main/core/scenario/build-lab.ts'
import { LabShell } from './src-main/core/shell/lab-shell.ts'
import { CommandRegistry } from './src-main/core/shell/command.ts'
import { defaultRegistry } from './src-main/core/shell/commands/index.ts'
import { ipCommand } from './src-main/core/shell/commands/ip.ts'
import { bridgeCommand } from './src-main/core/shell/commands/bridge.ts'
import { iptablesCommand, iptablesSaveCommand } from './src-main/core/shell/commands/iptables.ts'
import { conntrackCommand } from './src-main/core/shell/commands/conntrack.ts'
import { sysctlCommand } from './src-main/core/shell/commands/sysctl.ts'
import { nftCommand } from './src-main/core/shell/commands/nft.ts'
import { ipvsadmCommand } from './src-main/core/shell/commands/ipvsadm.ts'
import { contextFor, normaliseOutput } from './test/conformance/normalise.ts'
const id = process.argv[2] ?? 'two-node-vxlan'
const onlyMine = process.argv[3] !== 'all'
const r = parseScenario(readFileSync(`test/fixtures/scenarios/${id}.yaml`,'utf8'), id)
if (!r.ok) throw new Error('x')
const lab = buildLab(r.scenario)
const mine = [ipCommand, bridgeCommand, iptablesCommand, iptablesSaveCommand, conntrackCommand, sysctlCommand, nftCommand, ipvsadmCommand]
const names = new Set(mine.map(c => c.name))
const registry = new CommandRegistry([...defaultRegistry().list().filter(c => !names.has(c.name)), ...mine])
const shell = new LabShell(lab, { registry })
const nctx = contextFor(r.scenario)
const dir = `test/fixtures/real/${id}`
let same = 0, diff = 0
for (const f of readdirSync(dir).filter(f => f.endsWith('.txt')).sort()) {
  const text = readFileSync(`${dir}/${f}`, 'utf8')
  const on = /^# on: (\S+) \((\w+)\)/m.exec(text)!
  const cmd = /^\$ (.*)$/m.exec(text)![1]!
  const stdout = text.split('--- stdout\n')[1]!.split('--- stderr\n')[0]!
  const stderr = text.split('--- stderr\n')[1]!.split('--- exit ')[0]!
  const exit = Number(text.split('--- exit ')[1])
  const res = shell.run(on[1]!, cmd)!
  const word = cmd.split(' ')[0]!
  if (onlyMine && !names.has(word)) continue
  const underlay = on[2] !== 'pod'
  const a = normaliseOutput({ run: cmd }, { stdout: res.stdout, stderr: res.stderr, exitCode: res.exitCode }, nctx, underlay)
  const b = normaliseOutput({ run: cmd }, { stdout, stderr: stderr.replace(/\n$/, '') + (stderr.trim() ? '\n' : ''), exitCode: exit }, nctx, underlay)
  const m = (x: string) => x.replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, 'MAC').replace(/veth[0-9a-f]{8}/g, 'vethX').replace(/fe80::[0-9a-f:]+/g, 'LL').replace(/gc_timer +[\d.]+/, 'gc')
  if (m(a) === m(b)) { same++; continue }
  diff++
  console.log(`### ${f} [${on[1]}] ${cmd}`)
  const al = m(a).split('\n'), bl = m(b).split('\n')
  for (let i = 0; i < Math.max(al.length, bl.length); i++) if (al[i] !== bl[i]) console.log(`  sim : ${JSON.stringify(al[i])}\n  real: ${JSON.stringify(bl[i])}`)
}
console.log('same', same, 'diff', diff)
