import { describe, expect, it } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

const NAME = /^web-7d476f47cf-[bcdfghjklmnpqrstvwxz2456789]{5}$/

/** The web pods' names and IPs, from `kubectl get pods -o wide`. */
function webPods(s: ReturnType<typeof labShell>): { name: string; ip: string; node: string }[] {
  return run(s, 'node-1', 'kubectl get pods -o wide -l app=web --no-headers')
    .stdout.trim()
    .split('\n')
    .map((l) => l.split(/\s+/))
    .map((c) => ({ name: c[0]!, ip: c[5]!, node: c[6]! }))
}

describe('a scenario Deployment: Deployment → ReplicaSet → pods, printed as kubectl prints them', () => {
  const s = labShell('two-node-deployment')

  it('lists deployments, replica sets and pods in one table per kind', () => {
    const r = run(s, 'node-1', 'kubectl get deploy,rs')
    expect(r).toEqual({
      stdout:
        'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n' +
        'deployment.apps/web   3/3     3            3           0s\n' +
        '\n' +
        'NAME                             DESIRED   CURRENT   READY   AGE\n' +
        'replicaset.apps/web-7d476f47cf   3         3         3       0s\n',
      stderr: '',
      exitCode: 0
    })
    const pods = webPods(s)
    expect(pods).toHaveLength(3)
    for (const p of pods) expect(p.name).toMatch(NAME)
    // The scheduler spreads them: client already sits on node-1.
    expect(pods.map((p) => p.node).sort()).toEqual(['node-1', 'node-2', 'node-2'])
  })

  it('prints events with kubectl columns and no NAME column, grouped by object', () => {
    const lines = run(s, 'node-1', 'kubectl get events').stdout.split('\n')
    expect(lines[0]).toMatch(/^LAST SEEN {3}TYPE {5}REASON {14}OBJECT {22}MESSAGE$/)
    expect(lines).toContain(
      '0s          Normal   ScalingReplicaSet   deployment/web              Scaled up replica set web-7d476f47cf to 3'
    )
    expect(lines.filter((l) => l.includes('SuccessfulCreate'))).toHaveLength(3)
    expect(lines.at(-2)).toContain('deployment/web')
  })

  it('describes the deployment with its new replica set and its events', () => {
    const text = run(s, 'node-1', 'kubectl describe deployment web').stdout
    expect(text).toContain(
      'Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable\n'
    )
    expect(text).toContain('NewReplicaSet:   web-7d476f47cf (3/3 replicas created)\n')
    expect(text).toMatch(
      /Events:\n {2}Type {4}Reason {13}Age {3}From {19}Message\n {2}---- {4}------ {13}---- {2}---- {19}-------\n {2}Normal {2}ScalingReplicaSet {2}0s {4}deployment-controller {2}Scaled up replica set web-7d476f47cf to 3\n$/
    )
    const pod = webPods(s)[0]!.name
    expect(run(s, 'node-1', `kubectl describe pod ${pod}`).stdout).toContain(
      'Controlled By:  ReplicaSet/web-7d476f47cf\n'
    )
  })
})

describe('the ReplicaSet replaces what leaves it', () => {
  it('a deleted pod comes back under a new name with the next free address, and every node follows', () => {
    const s = labShell('two-node-deployment')
    const before = webPods(s)
    const victim = before.find((p) => p.node === 'node-1')!
    expect(run(s, 'node-1', `kubectl delete pod ${victim.name}`)).toEqual({
      stdout: `pod "${victim.name}" deleted\n`,
      stderr: '',
      exitCode: 0
    })
    const after = webPods(s)
    expect(after).toHaveLength(3)
    const fresh = after.find((p) => !before.some((b) => b.name === p.name))!
    expect(fresh.name).toMatch(NAME)
    expect(fresh.ip).not.toBe(victim.ip)
    // host-local hands out the address after the last one it gave on that node.
    expect(fresh.ip).toBe('10.244.1.4')
    expect(
      run(s, 'node-1', 'kubectl get endpointslices -o jsonpath={.items[1].endpoints[*].addresses[0]}').stdout
    ).toContain(fresh.ip)
    for (const node of ['node-1', 'node-2']) {
      const nat = run(s, node, 'iptables-save -t nat').stdout
      expect(nat).toContain(`DNAT --to-destination ${fresh.ip}:8080`)
      expect(nat).not.toContain(`${victim.ip}:8080`)
    }
    expect(run(s, 'client', 'wget -qO- 10.96.0.100 >/dev/null; wget -qO- ' + fresh.ip + ':8080').stdout).toBe(
      `${fresh.name}\n`
    )
    expect(
      run(s, 'node-1', 'kubectl get events --field-selector reason=SuccessfulCreate -o name').stdout.split(
        '\n'
      )
    ).toHaveLength(5)
  })

  it('a relabelled pod is orphaned and replaced, and drops out of the Service', () => {
    const s = labShell('two-node-deployment')
    const [first] = webPods(s)
    expect(run(s, 'node-1', `kubectl label pod ${first!.name} app=debug`)).toMatchObject({
      stderr: "error: 'app' already has a value (web), and --overwrite is false\n",
      exitCode: 1
    })
    expect(run(s, 'node-1', `kubectl label pod ${first!.name} app=debug --overwrite`).stdout).toBe(
      `pod/${first!.name} labeled\n`
    )
    expect(webPods(s).map((p) => p.name)).not.toContain(first!.name)
    expect(webPods(s)).toHaveLength(3)
    expect(
      run(s, 'node-1', `kubectl get pod ${first!.name} -o jsonpath={.metadata.ownerReferences}`).stdout
    ).toBe('')
    expect(run(s, 'node-1', 'kubectl get ep web').stdout).not.toContain(`${first!.ip}:`)
  })

  it('scales a Deployment, and a ReplicaSet scaled by hand is scaled back by its Deployment', () => {
    const s = labShell('two-node-deployment')
    expect(run(s, 'node-1', 'kubectl scale deployment web --replicas=1').stdout).toBe(
      'deployment.apps/web scaled\n'
    )
    expect(webPods(s)).toHaveLength(1)
    expect(run(s, 'node-1', 'kubectl get ep web --no-headers').stdout).toMatch(
      /^web {3}10\.244\.\d\.\d:8080 {3}0s\n$/
    )
    expect(run(s, 'node-1', 'kubectl scale rs web-7d476f47cf --replicas=4').stdout).toBe(
      'replicaset.apps/web-7d476f47cf scaled\n'
    )
    expect(webPods(s)).toHaveLength(1)
    expect(
      run(s, 'node-1', 'kubectl scale deploy/web --replicas=4; kubectl get pods --no-headers | grep -c web')
    ).toMatchObject({
      stdout: 'deployment.apps/web scaled\n4\n'
    })
  })

  it('answers NotFound for a Deployment the cluster does not have', () => {
    const s = labShell()
    expect(run(s, 'node-1', 'kubectl scale deployment web --replicas=1')).toEqual({
      stdout: '',
      stderr: 'Error from server (NotFound): deployments.apps "web" not found\n',
      exitCode: 1
    })
    expect(run(s, 'node-1', 'kubectl get deploy')).toEqual({
      stdout: '',
      stderr: 'No resources found in default namespace.\n',
      exitCode: 0
    })
  })
})
