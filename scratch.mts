import { readFileSync } from 'node:fs'
import { parseScenario } from './src-main/core/scenario/parse-scenario.ts'
import { buildLab } from './src-main/core/scenario/build-lab.ts'
import { chainsInSaveOrder } from './src-main/core/linux/netfilter.ts'
import { formatIptRule } from './src-main/core/linux/iptables-rule.ts'
for (const f of ['two-node-vxlan','two-node-ipvs','two-node-nftables','three-node-k3s','two-node-host-gw']) {
const r = parseScenario(readFileSync(`test/fixtures/scenarios/${f}.yaml`,'utf8'), f+'.yaml')
if (!r.ok) { console.log(r.errors); continue }
const lab = buildLab(r.scenario)
console.log(f, [...lab.netns.keys()].join(','))
}
const r = parseScenario(readFileSync(`test/fixtures/scenarios/two-node-vxlan.yaml`,'utf8'), 'x')
if (r.ok) { const lab = buildLab(r.scenario); const ns = lab.netns.get('node-1')!
for (const t of ['nat','filter'] as const) for (const c of chainsInSaveOrder(ns.netfilter[t])) for (const rule of c.rules) console.log(t, formatIptRule(c.name, rule)) }
console.log(parseScenario('formatVersion: 1\nid: x\nnodes: [{name: a, ip: 192.168.56.3}]\npods: [{name: p, node: node-9, containers: [{name: c, app: http}]}]\nservices: [{name: s, clusterIP: 10.1.0.1, selector: {a: b}, ports: [{port: 80}]}]', 'bad.yaml'))
