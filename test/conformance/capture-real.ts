/**
 * Captures the real kernel's answers for every scenario fixture into test/fixtures/real/, the
 * format reference for the simulator's renderers. Root only; run with
 * `npx tsx test/conformance/capture-real.ts [SCENARIO...]`. Builds each lab with the script
 * `podnet export-lab` renders from the ground-truth plan (lab-plan.ts, written from what
 * flannel, the bridge CNI plugin, kubelet and kube-proxy create, never from the simulator) —
 * the same real lab the conformance run compares the simulator with — runs the conformance
 * steps, writes `<n>-<slug>.txt` per command and tears the lab down, even on failure.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { labPlanFromScenario } from './lab-plan.ts'
import { fixtureScenario } from '../core/sim-lab.ts'
import { RealLab, realLabUnavailable } from './real-lab.ts'
import { stepsFor } from './steps.ts'
import { formatFixture } from './fixture-format.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const variants = ['two-node-vxlan', 'two-node-host-gw', 'three-node-k3s', 'two-node-nftables']

async function captureOne(id: string, index: number): Promise<void> {
  const s = fixtureScenario(id)
  const plan = labPlanFromScenario(s)
  const lab = new RealLab(plan, `pnl-cap${index}`)
  const outDir = join(root, 'test/fixtures/real', id)
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const kind = (h: string): string => plan.hosts.find((x) => x.name === h)?.kind ?? '?'
  try {
    await lab.up()
    let n = 1
    for (const step of stepsFor(s, plan)) {
      const pad = (k: number): string => String(k).padStart(2, '0')
      const r = await lab.runStep(step)
      if (step.kind === 'capture') {
        writeFileSync(
          join(outDir, `${pad(n++)}-${step.slug}-traffic.txt`),
          formatFixture(
            step.traffic.on,
            kind(step.traffic.on),
            step.traffic.run,
            r.traffic!,
            `traffic for the capture in the next file`
          )
        )
        writeFileSync(
          join(outDir, `${pad(n++)}-${step.slug}.txt`),
          formatFixture(
            step.on,
            kind(step.on),
            step.run,
            r.output,
            `captured while the previous file's command ran on ${step.traffic.on}`
          )
        )
      } else {
        writeFileSync(
          join(outDir, `${pad(n++)}-${step.slug}.txt`),
          formatFixture(step.on, kind(step.on), step.run, r.output)
        )
      }
    }
    console.log(`${id}: ${readdirSync(outDir).length} outputs`)
  } finally {
    await lab.down()
  }
}

const reason = realLabUnavailable()
if (reason) {
  console.error(`cannot capture: ${reason}`)
  process.exit(1)
}
/** Rewrites the file list at the end of test/fixtures/real/README.md (everything after `## Files`). */
function writeIndex(): void {
  const readme = join(root, 'test/fixtures/real/README.md')
  const text = readFileSync(readme, 'utf8')
  const head = text.slice(0, text.indexOf('## Files'))
  const parts = [head + '## Files\n']
  for (const id of variants) {
    const dir = join(root, 'test/fixtures/real', id)
    const files = readdirSync(dir).sort()
    parts.push(`\n### ${id} (${files.length} files)\n`)
    for (const f of files) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n')
      const on = lines[0]!.replace('# on: ', '')
      const cmd = lines.find((l) => l.startsWith('$ '))!.slice(2)
      parts.push(`- \`${f}\` — ${on}: \`${cmd}\``)
    }
  }
  writeFileSync(readme, parts.join('\n') + '\n')
}

const wanted = process.argv.slice(2)
const list = wanted.length > 0 ? wanted : variants
for (const [i, id] of list.entries()) await captureOne(id, i)
writeIndex()
