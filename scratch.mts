import { readFileSync } from 'node:fs'
import { parseScenario } from './src-main/core/scenario/parse-scenario.ts'
import { buildLab } from './src-main/core/scenario/build-lab.ts'
import { sendProbe } from './src-main/core/engine/probe.ts'
const f = process.argv[2] ?? 'two-node-vxlan'
const r = parseScenario(readFileSync(`test/fixtures/scenarios/${f}.yaml`,'utf8'), f)
if (!r.ok) throw new Error(r.errors.join('\n'))
const lab = buildLab(r.scenario)
const ip = (n: string) => { const p = lab.pods.find(p=>p.name===n)!; return `${p.ip>>>24}.${(p.ip>>16)&255}.${(p.ip>>8)&255}.${p.ip&255}` }
const show = (t: ReturnType<typeof sendProbe>, verbose=false) => { console.log(JSON.stringify(t.outcome), t.servedBy ?? '', 'hops', t.hops.length, 'rules', t.rulesEvaluated); if (verbose) for (const h of t.hops) console.log('  ', h.leg, h.netns, h.device ?? '', h.stage, h.drop ?? '', h.detail && 'route' in h.detail ? h.detail.route : h.detail && 'hits' in h.detail ? `${h.detail.hook}/${h.detail.table} eval=${h.detail.rulesEvaluated} ${h.detail.hits.map(x=>x.chain+'#'+x.rule+'>'+x.target).join(' ')}` : JSON.stringify(h.detail ?? '')) }
const v = process.argv[3] === 'v'
console.log('ping web-1'); show(sendProbe(lab, {proto:'icmp', from:'client', to: ip('web-1')}), v)
console.log('ping web-3'); show(sendProbe(lab, {proto:'icmp', from:'client', to: ip('web-3')}), v)
console.log('ping node-2'); show(sendProbe(lab, {proto:'icmp', from:'client', to: '192.168.56.12'}), v)
console.log('ping clusterip'); show(sendProbe(lab, {proto:'icmp', from:'client', to: '10.96.0.100'}), v)
for (let i=0;i<4;i++) { console.log('curl clusterip'); show(sendProbe(lab, {proto:'tcp', from:'client', to: '10.96.0.100', port: 80}), v && i==0) }
console.log('curl empty'); show(sendProbe(lab, {proto:'tcp', from:'client', to: '10.96.0.200', port: 80}), v)
console.log('curl clusterip bad port'); show(sendProbe(lab, {proto:'tcp', from:'client', to: '10.96.0.100', port: 81}), false)
console.log('laptop nodeport'); show(sendProbe(lab, {proto:'tcp', from:'laptop', to: '192.168.56.11', port: 30080}), v)
console.log('ping -s 1422 DF'); show(sendProbe(lab, {proto:'icmp', from:'client', to: ip('web-3'), size: 1422, dontFragment: true}))
console.log('ping -s 1423 DF'); show(sendProbe(lab, {proto:'icmp', from:'client', to: ip('web-3'), size: 1423, dontFragment: true}))
console.log('ping self svc'); show(sendProbe(lab, {proto:'tcp', from:'web-1', to: '10.96.0.100', port: 80}))
