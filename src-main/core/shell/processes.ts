/**
 * The processes a target's `ps` lists and the one its terminal's shell is, so that `ps` and the
 * shell's `$$` and `$PPID` name the same numbers.
 */
import { hex } from '../kube/api-objects.ts'
import type { KubeContainer, KubePod, KubeProcess } from '../kube/objects.ts'
import type { Lab } from '../kube/lab.ts'
import { flannelPods } from '../kube/flannel-pods.ts'
import { kubeProxyPods } from '../kube/kube-proxy-pods.ts'
import { staticPods } from '../kube/static-pods.ts'
import type { Target } from './command.ts'
import { findPod } from './targets.ts'

export type ContainerProcess = { pid: number; user: string; command: string }
/** A node process; `ppid` only where it is not init (what a sandbox's shim starts). */
export type ProcpsRow = { pid: number; ppid?: number; stat: string; time: string; command: string }

/**
 * Processes visible from the target, pid as seen in its PID namespace: the container's own
 * process, or every container's plus /pause when the pod shares one PID namespace.
 */
export function containerProcesses(
  pod: KubePod,
  container: string | undefined
): { pid: number; user: string; command: string }[] {
  const own = (p: KubeProcess): { pid: number; user: string; command: string } => ({
    pid: p.pid,
    user: p.user,
    command: p.command
  })
  if (pod.shareProcessNamespace) return [own(pod.pause), ...pod.containers.map((c) => own(c.process))]
  const c = pod.containers.find((x) => x.name === container) ?? pod.containers[0]
  return c ? [own(c.process)] : []
}

/** The fixed processes of a Debian node running containerd and the kubelet. */
const KUBEADM_DAEMONS: readonly ProcpsRow[] = [
  { pid: 1, stat: 'Ss', time: '0:02', command: '/sbin/init' },
  { pid: 212, stat: 'Ss', time: '0:00', command: '/lib/systemd/systemd-journald' },
  { pid: 402, stat: 'Ssl', time: '0:31', command: '/usr/bin/containerd' },
  {
    pid: 455,
    stat: 'Ssl',
    time: '1:12',
    command:
      '/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///run/containerd/containerd.sock'
  }
]

/**
 * A k3s node: one k3s process (the kubelet, kube-proxy, flannel and on the server the control
 * plane run inside it), which hides its arguments behind `k3s server` or `k3s agent` because
 * they may hold tokens, and the containerd it starts as its child.
 */
function k3sDaemons(role: 'server' | 'agent'): ProcpsRow[] {
  return [
    { pid: 1, stat: 'Ss', time: '0:02', command: '/sbin/init' },
    { pid: 212, stat: 'Ss', time: '0:00', command: '/lib/systemd/systemd-journald' },
    {
      pid: 402,
      stat: 'Ssl',
      time: role === 'server' ? '2:37' : '0:48',
      command: `/usr/local/bin/k3s ${role}`
    },
    { pid: 455, ppid: 402, stat: 'Sl', time: '0:31', command: 'containerd' }
  ]
}

/**
 * Where a node's containerd lives, for the shims it starts. k3s unpacks its own binaries under a
 * directory named after the hash of the data it carries, which changes with every release; the
 * lab names it after the Kubernetes version it models.
 */
function runtimeOf(lab: Lab): { shim: string; socket: string } {
  const cluster = lab.scenario.cluster
  if (cluster.distribution !== 'k3s')
    return { shim: '/usr/bin/containerd-shim-runc-v2', socket: '/run/containerd/containerd.sock' }
  const data = hex(`k3s-data/${cluster.kubeProxy.version}`)
  return {
    shim: `/var/lib/rancher/k3s/data/${data}/bin/containerd-shim-runc-v2`,
    socket: '/run/k3s/containerd/containerd.sock'
  }
}

/** CPU time the system pods have used by the time the learner looks: etcd and the apiserver work. */
const SYSTEM_POD_TIME: Record<string, string> = {
  etcd: '0:24',
  'kube-apiserver': '0:58',
  'kube-controller-manager': '0:17',
  'kube-scheduler': '0:05',
  'kube-flannel': '0:03',
  'kube-proxy': '0:04'
}

/**
 * containerd runs each pod sandbox under its own containerd-shim-runc-v2 (re-parented to init,
 * named after the sandbox id), which starts /pause and then every container of the pod.
 */
function sandboxRows(
  runtime: { shim: string; socket: string },
  pod: KubePod,
  pids: { shim: number; pause: number },
  container: (c: KubeContainer) => ProcpsRow
): ProcpsRow[] {
  return [
    {
      pid: pids.shim,
      stat: 'Sl',
      time: '0:00',
      command: `${runtime.shim} -namespace k8s.io -id ${pod.sandboxId} -address ${runtime.socket}`
    },
    { pid: pids.pause, ppid: pids.shim, stat: 'Ss', time: '0:00', command: '/pause' },
    ...pod.containers.filter((c) => c.state === 'Running').map((c) => ({ ...container(c), ppid: pids.shim }))
  ]
}

/**
 * The node's system pods in the order the kubelet started them: kubeadm's static pods on the
 * control-plane node, then kube-proxy's and flanneld's. They carry no host PIDs of their own,
 * so each gets a block of numbers after the kubelet's.
 */
function systemPodRows(lab: Lab, node: string): ProcpsRow[] {
  return [...staticPods(lab), ...kubeProxyPods(lab), ...flannelPods(lab)]
    .filter((pod) => pod.node === node)
    .flatMap((pod, i) => {
      const pause = 500 + 25 * i
      return sandboxRows(runtimeOf(lab), pod, { shim: pause - 4, pause }, (c) => ({
        pid: pause + 12,
        stat: 'Ssl',
        time: SYSTEM_POD_TIME[c.name] ?? '0:01',
        command: c.process.command
      }))
    })
}

/** A host's processes by pid: a node's daemons and its pods' sandboxes, or an external host's init. */
export function hostProcesses(lab: Lab, target: Target): ProcpsRow[] {
  const node = lab.nodes.find((n) => n.name === target.node)
  const daemons =
    lab.scenario.cluster.distribution === 'k3s'
      ? k3sDaemons(node === lab.nodes[0] ? 'server' : 'agent')
      : KUBEADM_DAEMONS
  const procs: ProcpsRow[] =
    target.kind === 'node'
      ? [...daemons, ...(node ? systemPodRows(lab, node.name) : [])]
      : [{ pid: 1, stat: 'Ss', time: '0:01', command: '/sbin/init' }]
  if (node) {
    if (node.daemon)
      procs.push({ pid: node.daemon.hostPid, stat: 'Ss', time: '0:00', command: node.daemon.command })
    for (const pod of lab.pods.filter((p) => p.node === node.name))
      procs.push(
        ...sandboxRows(runtimeOf(lab), pod, { shim: pod.shimPid, pause: pod.pause.hostPid }, (c) => ({
          pid: c.process.hostPid,
          stat: 'Ss',
          time: '0:00',
          command: c.process.command
        }))
      )
  }
  return procs.sort((a, b) => a.pid - b.pid)
}

/** The parent `ps -ef` shows for a process started by init: init's own is 0. */
export const parentOf = (pid: number): number => (pid === 1 ? 0 : 1)

/**
 * The terminal's shell, started after everything the target runs: in a container a few pids
 * after its processes (what `kubectl exec` started), on a host a login's worth after the last.
 * Its parent is what `ps -ef` and `$PPID` show for it: in a container runc, outside the pod's
 * PID namespace, which the kernel shows as 0.
 */
export function terminalShell(lab: Lab, target: Target): { pid: number; ppid: number } {
  const pod = target.pod === undefined ? undefined : findPod(lab, target.pod, target.namespace)
  const pid = pod
    ? Math.max(1, ...containerProcesses(pod, target.container).map((p) => p.pid)) + 6
    : Math.max(...hostProcesses(lab, target).map((p) => p.pid)) + 37
  return { pid, ppid: pod ? 0 : parentOf(pid) }
}
