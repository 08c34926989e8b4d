import { describe, expect, it } from 'vitest'
import { labShellFromYaml, run } from './shell-fixture.ts'
import { dnsClusterYaml } from './dns-cluster-fixture.ts'

const cluster = (mode: 'iptables' | 'ipvs' | 'nftables'): string =>
  dnsClusterYaml({ id: 'headless-demo', kubeProxyMode: mode, webOn: ['node-1', 'node-2'] })

const HEADLESS = `cat <<EOF > hl.yaml
apiVersion: v1
kind: Service
metadata:
  name: web-hl
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
EOF
kubectl apply -f hl.yaml`

const NAMED_POD = `cat <<EOF > db.yaml
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  labels:
    app: web
spec:
  hostname: db-0
  subdomain: web-hl
  nodeName: node-2
  containers:
  - name: db
    image: podnet/http
    ports:
    - containerPort: 8080
EOF
kubectl apply -f db.yaml`

const RULES = {
  iptables: 'iptables-save',
  ipvs: 'ipvsadm -Ln; iptables-save; ipset list',
  nftables: 'nft list ruleset'
} as const

function podIp(s: ReturnType<typeof labShellFromYaml>, name: string): string {
  return run(s, 'node-1', `kubectl get pod ${name} -o jsonpath='{.status.podIP}'`).stdout
}

describe('a headless Service (clusterIP: None)', () => {
  it.each(['iptables', 'ipvs', 'nftables'] as const)(
    'gets no kube-proxy rules in %s mode and shows None as its cluster IP',
    (mode) => {
      const s = labShellFromYaml(cluster(mode))
      const before = ['node-1', 'node-2'].map((n) => run(s, n, RULES[mode]).stdout)
      expect(run(s, 'node-1', HEADLESS).stdout).toBe('service/web-hl created\n')
      expect(['node-1', 'node-2'].map((n) => run(s, n, RULES[mode]).stdout)).toEqual(before)
      expect(run(s, 'node-1', 'kubectl get svc web-hl').stdout).toBe(
        'NAME     TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n' +
          'web-hl   ClusterIP   None         <none>        80/TCP    0s\n'
      )
    }
  )

  it('answers its name with every ready pod, one A record each, as the tools print them', () => {
    const s = labShellFromYaml(cluster('iptables'))
    run(s, 'node-1', HEADLESS)
    const [a, b] = [podIp(s, 'web-1'), podIp(s, 'web-2')]
    const fqdn = 'web-hl.default.svc.cluster.local'
    expect(run(s, 'client', 'dig +short +search web-hl').stdout).toBe(`${a}\n${b}\n`)
    expect(run(s, 'client', 'getent hosts web-hl').stdout).toBe(
      `${a.padEnd(15)} ${fqdn}\n${b.padEnd(15)} ${fqdn}\n`
    )
    expect(run(s, 'client', 'nslookup web-hl').stdout).toBe(
      `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n` +
        `Name:\t${fqdn}\nAddress: ${a}\nName:\t${fqdn}\nAddress: ${b}\n\n`
    )
    expect(run(s, 'client', 'host web-hl').stdout).toBe(
      `${fqdn} has address ${a}\n${fqdn} has address ${b}\n`
    )
  })

  it('answers a pod’s hostname under its subdomain, and forgets a deleted pod', () => {
    const s = labShellFromYaml(cluster('nftables'))
    run(s, 'node-1', HEADLESS)
    run(s, 'node-1', NAMED_POD)
    const db = podIp(s, 'db-0')
    expect(run(s, 'client', 'dig +short db-0.web-hl.default.svc.cluster.local').stdout).toBe(`${db}\n`)
    expect(run(s, 'client', 'dig +short +search web-hl').stdout.split('\n')).toContain(db)
    run(s, 'node-1', 'kubectl delete pod db-0')
    expect(run(s, 'client', 'dig +short db-0.web-hl.default.svc.cluster.local').stdout).toBe('')
    expect(run(s, 'client', 'dig +short +search web-hl').stdout.split('\n')).not.toContain(db)
  })
})
