import { readFileSync } from 'node:fs'
import { parseScenario } from './src-main/core/scenario/parse-scenario.ts'
import { buildLab } from './src-main/core/scenario/build-lab.ts'
import { sendProbe } from './src-main/core/engine/probe.ts'
const f = process.argv[2] ?? 'two-node-vxlan'
const r = parseScenario(readFileSync(`test/fixtures/scenarios/${f}.yaml`,'utf8'), f)
if (!r.ok) throw new Error(r.errors.join('\n'))
const lab = buildLab(r.scenario)
const spec = JSON.parse(process.argv[3]!)
for (let i = 0; i < Number(process.argv[4] ?? 1); i++) {
const t = sendProbe(lab, spec)
console.log(JSON.stringify(t.outcome), t.servedBy ?? '', 'hops', t.hops.length, 'rules', t.rulesEvaluated)
if (i === Number(process.argv[4] ?? 1) - 1) for (const h of t.hops) console.log('  ', h.leg, h.netns, h.device ?? '', h.stage, h.drop ?? '', h.detail && 'route' in h.detail ? h.detail.route : h.detail && 'hits' in h.detail ? `${h.detail.hook}/${h.detail.table} eval=${h.detail.rulesEvaluated} ${h.detail.hits.map(x=>x.chain+'#'+x.rule+'>'+x.target).join(' ')}` : JSON.stringify(h.detail ?? ''), h.after?.ip ? `${h.after.ip.src}>${h.after.ip.dst} ttl${h.after.ip.ttl}` : h.before?.ip ? `[${h.before.ip.src}>${h.before.ip.dst} ttl${h.before.ip.ttl}]` : '')
}
