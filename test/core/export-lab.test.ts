import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { exportLabCommand } from '../../src-main/cli/export-lab.ts'
import { buildLab } from '../../src-main/core/scenario/build-lab.ts'
import { renderLabScript } from '../../src-main/core/scenario/export-lab.ts'
import { labPlanFromLab } from '../../src-main/core/scenario/plan-from-lab.ts'
import type { VethLink, VxlanLink } from '../../src-main/core/linux/link.ts'
import { loadScenario } from '../conformance/conformance.ts'

const variants = ['two-node-vxlan', 'two-node-host-gw', 'three-node-k3s', 'two-node-nftables']

function script(id: string, prefix?: string): string {
  return renderLabScript(labPlanFromLab(buildLab(loadScenario(id))), prefix === undefined ? {} : { prefix })
}

/** The body of the script's up() function, one command per line. */
function upCommands(text: string): string[] {
  // drop heredoc bodies first: they are rule text (with braces of their own), not commands
  const commands = text.replace(/<<'(PNL_\w+)'\n[\s\S]*?\n\1(?=\n|$)/g, '<<HEREDOC')
  const start = commands.indexOf('\nup() {\n')
  const end = commands.indexOf('\n}\n', start)
  return commands
    .slice(start + 8, end)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

describe('podnet export-lab script', () => {
  test('refuses a namespace prefix outside the pnl family', () => {
    expect(() => script('two-node-vxlan', 'cni')).toThrow(/--prefix cni: must be "pnl"/)
    expect(() => script('two-node-vxlan', 'pnl;rm')).toThrow(/--prefix/)
    expect(script('two-node-vxlan', 'pnl-t1')).toContain('PREFIX=pnl-t1\n')
  })

  test.each(variants)('%s: every command of up works inside the lab namespaces only', (id) => {
    const allowed = [
      /^ip netns add pnl-x-[a-z0-9-]+$/,
      /^ip -n pnl-x-[a-z0-9-]+ /,
      /^ip netns exec pnl-x-[a-z0-9-]+ /,
      /^bridge -n pnl-x-[a-z0-9-]+ /,
      /^wait_port pnl-x-[a-z0-9-]+ [tu] \d+$/,
      /^wait_dad$/,
      /^(need_root|local \w+|app_py=\$\(cat <<HEREDOC|\)|trap .*|for h in "\$\{HOSTS\[@\]\}"; do has_ns .*; done)$/
    ]
    for (const line of upCommands(script(id, 'pnl-x'))) {
      expect(
        allowed.some((re) => re.test(line)),
        line
      ).toBe(true)
      // a veth's far end must land in a lab namespace too
      if (/ type veth /.test(line)) expect(line).toMatch(/ netns pnl-x-[a-z0-9-]+$/)
    }
  })

  test.each(variants)('%s: the script is valid bash', (id) => {
    const r = spawnSync('bash', ['-n'], { input: script(id), encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  test("builds links with the simulator's MACs and veth names, so outputs line up", () => {
    const lab = buildLab(loadScenario('two-node-vxlan'))
    const text = renderLabScript(labPlanFromLab(lab))
    const node1 = lab.netns.get('node-1')!
    const vtep = node1.links.find((l): l is VxlanLink => l.kind === 'vxlan')!
    expect(text).toContain(
      `ip -n pnl-node-1 link add flannel.1 address ${vtep.mac} mtu 1450 type vxlan id 1 local 192.168.56.11 dev eth0 dstport 8472 nolearning`
    )
    const veths = node1.links.filter((l): l is VethLink => l.kind === 'veth')
    expect(veths).toHaveLength(3)
    for (const v of veths)
      expect(text).toMatch(
        new RegExp(
          `link add ${v.name} address ${v.mac} mtu 1450 type veth peer name eth0 address [0-9a-f:]{17} mtu 1450 netns pnl-`
        )
      )
  })

  test('a narrow underlay becomes switch ports with a smaller MTU than the nodes’ eth0', () => {
    const lab = buildLab(loadScenario('two-node-vxlan'))
    lab.segments.get('underlay')!.mtu = 1400
    const text = renderLabScript(labPlanFromLab(lab))
    expect(text).toMatch(
      /link add port0 mtu 1400 type veth peer name eth0 address [0-9a-f:]{17} mtu 1500 netns pnl-/
    )
  })

  test("loads kube-proxy's rules as its writer wrote them (not as iptables-save prints them), so the kernel's normalisation is what gets compared", () => {
    const text = script('two-node-vxlan')
    // kube-proxy's %0.10f; iptables-save would print the kernel's 0.33333333349
    expect(text).toMatch(/-m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-/)
    expect(text).not.toContain('0.33333333349')
  })
})

describe('podnet export-lab command', () => {
  const file = fileURLToPath(new URL('../fixtures/scenarios/two-node-vxlan.yaml', import.meta.url))
  const run = (argv: string[]): { code: number; out: string; err: string } => {
    let out = ''
    let err = ''
    const code = exportLabCommand(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) }) as number
    return { code, out, err }
  }

  test('prints the script for a scenario file', () => {
    const r = run([file, '--prefix', 'pnl-demo'])
    expect(r.code).toBe(0)
    expect(r.out.startsWith('#!/usr/bin/env bash\n')).toBe(true)
    expect(r.out).toContain('ip netns add pnl-demo-node-1')
  })

  test('a usage error exits 2 and a bad prefix exits 1, each with a message', () => {
    expect(run([])).toMatchObject({ code: 2, err: 'usage: podnet export-lab SCENARIO [--prefix P]\n' })
    expect(run([file, '--prefix'])).toMatchObject({ code: 2 })
    const bad = run([file, '--prefix', 'prod'])
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^podnet export-lab: --prefix prod: must be "pnl"/)
  })
})
