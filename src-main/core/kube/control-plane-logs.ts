import { klogLine } from './klog.ts'
import type { Lab } from './lab.ts'

type Line = readonly [where: string, text: string]

/** klog lines a millisecond apart from `startMs`, then the `late` ones two seconds on. */
function klogLines(lab: Lab, startMs: number, lines: readonly Line[], late: readonly Line[] = []): string[] {
  return [
    ...lines.map(([where, text], i) => klogLine(lab, 'I', startMs + i, where, text)),
    ...late.map(([where, text], i) => klogLine(lab, 'I', startMs + 2000 + i, where, text))
  ]
}

/** A zap JSON line as etcd writes it: level, time to the microsecond, caller, message, fields. */
function etcdLine(
  lab: Lab,
  level: 'info' | 'warn',
  atMs: number,
  caller: string,
  msg: string,
  fields = {}
): string {
  const ts = new Date(lab.clock.epochMs + atMs).toISOString().replace(/Z$/, '000Z')
  return JSON.stringify({ level, ts, caller, msg, ...fields })
}

/** etcd 3.5's first lines: the single-port warning, its own command line, then its listeners. */
export function etcdLogs(lab: Lab, command: readonly string[], ip: string, startMs: number): string[] {
  const singlePort = 'Running http and grpc server on single port. This is not recommended for production.'
  return [
    etcdLine(lab, 'warn', startMs, 'embed/config.go:687', singlePort),
    etcdLine(lab, 'info', startMs, 'etcdmain/etcd.go:73', 'Running: ', { args: command }),
    etcdLine(lab, 'warn', startMs + 1, 'embed/config.go:687', singlePort),
    etcdLine(lab, 'info', startMs + 1, 'embed/etcd.go:128', 'configuring peer listeners', {
      'listen-peer-urls': [`https://${ip}:2380`]
    }),
    etcdLine(lab, 'info', startMs + 2, 'embed/etcd.go:136', 'configuring client listeners', {
      'listen-client-urls': ['https://127.0.0.1:2379', `https://${ip}:2379`]
    })
  ]
}

const GOLANG = '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""'
const SERVING_CERT: Line = ['tlsconfig.go:240', '"Starting DynamicServingCertificateController"']

export function apiserverLogs(lab: Lab, version: string, ip: string, startMs: number): string[] {
  return klogLines(lab, startMs, [
    ['options.go:221', `external host was not specified, using ${ip}`],
    ['server.go:148', `Version: ${version}`],
    ['server.go:150', GOLANG],
    ['secure_serving.go:213', 'Serving securely on [::]:6443'],
    SERVING_CERT
  ])
}

/** A leader-elected component: it waits for the lease, which it then holds alone. */
const leaderLease = (name: string): { attempt: Line; acquired: Line } => ({
  attempt: ['leaderelection.go:250', `attempting to acquire leader lease kube-system/${name}...`],
  acquired: ['leaderelection.go:260', `successfully acquired lease kube-system/${name}`]
})

export function controllerManagerLogs(lab: Lab, version: string, startMs: number): string[] {
  const lease = leaderLease('kube-controller-manager')
  return klogLines(
    lab,
    startMs,
    [
      ['serving.go:380', 'Generated self-signed cert in-memory'],
      ['controllermanager.go:187', `"Starting" version="${version}"`],
      ['controllermanager.go:189', GOLANG],
      [
        'dynamic_cafile_content.go:157',
        '"Starting controller" name="request-header::/etc/kubernetes/pki/front-proxy-ca.crt"'
      ],
      [
        'dynamic_cafile_content.go:157',
        '"Starting controller" name="client-ca-bundle::/etc/kubernetes/pki/ca.crt"'
      ],
      ['secure_serving.go:213', 'Serving securely on 127.0.0.1:10257'],
      SERVING_CERT,
      lease.attempt
    ],
    [lease.acquired]
  )
}

export function schedulerLogs(lab: Lab, version: string, startMs: number): string[] {
  const lease = leaderLease('kube-scheduler')
  const clientCa = 'client-ca::kube-system::extension-apiserver-authentication::client-ca-file'
  return klogLines(
    lab,
    startMs,
    [
      ['serving.go:380', 'Generated self-signed cert in-memory'],
      ['server.go:154', `"Starting Kubernetes Scheduler" version="${version}"`],
      ['server.go:156', GOLANG],
      ['secure_serving.go:213', 'Serving securely on 127.0.0.1:10259'],
      ['configmap_cafile_content.go:202', `"Starting controller" name="${clientCa}"`],
      ['shared_informer.go:313', `Waiting for caches to sync for ${clientCa}`],
      SERVING_CERT,
      ['shared_informer.go:320', `Caches are synced for ${clientCa}`],
      lease.attempt
    ],
    [lease.acquired]
  )
}
