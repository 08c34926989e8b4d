/**
 * The few files learners `cat` in the course, generated from the lab so they always agree
 * with it: `/etc/hosts` and `/etc/resolv.conf` as kubelet writes them into pods (or Debian
 * has them on a node), flanneld's `/run/flannel/subnet.env`, and `/proc/sys/...` from the
 * namespace's sysctls.
 */

import type { CommandContext } from './command.ts'
import { cidrHost, formatCidr, formatIpv4, parseCidr } from '../net/index.ts'
import { readSysctl, swapDotsAndSlashes, sysctlEntries } from '../linux/sysctl.ts'

export type FileRead =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: 'ENOENT' | 'EISDIR' }

const DIRECTORIES = new Set(['/', '/etc', '/run', '/run/flannel', '/proc', '/proc/sys', '/root', '/tmp'])

/** Read a path as the target sees it; relative paths start at the shell's working directory. */
export function readVirtualFile(ctx: CommandContext, path: string): FileRead {
  const written = ctx.readFile(path)
  if (written !== undefined) return { ok: true, text: new TextDecoder().decode(written) }
  const abs = path.startsWith('/')
    ? path
    : `${ctx.target.kind === 'pod' || ctx.target.kind === 'container' ? '' : '/root'}/${path}`
  const clean = abs.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')
  if (DIRECTORIES.has(clean) || (/^\/proc\/sys(\/[a-z0-9_-]+)*$/.test(clean) && sysctlDir(ctx, clean)))
    return { ok: false, error: 'EISDIR' }
  const text = generate(ctx, clean)
  return text === undefined ? { ok: false, error: 'ENOENT' } : { ok: true, text }
}

function sysctlDir(ctx: CommandContext, dir: string): boolean {
  const prefix = `${swapDotsAndSlashes(dir.slice('/proc/sys/'.length))}.`
  const ns = ctx.lab.netns.get(ctx.target.netns)
  return dir === '/proc/sys' || (ns !== undefined && sysctlEntries(ns).some(([k]) => k.startsWith(prefix)))
}

function generate(ctx: CommandContext, path: string): string | undefined {
  const { lab, target } = ctx
  const inPod = target.kind === 'pod' || target.kind === 'container'
  const pod = inPod
    ? lab.pods.find(
        (p) => p.name === target.pod && (target.namespace === undefined || p.namespace === target.namespace)
      )
    : undefined
  switch (path) {
    case '/etc/hosts':
      if (pod && !pod.hostNetwork) {
        // kubelet's managed hosts file (pkg/kubelet/kubelet_pods.go managedHostsFileContent).
        return [
          '# Kubernetes-managed hosts file.',
          '127.0.0.1\tlocalhost',
          '::1\tlocalhost ip6-localhost ip6-loopback',
          'fe00::0\tip6-localnet',
          'fe00::0\tip6-mcastprefix',
          'fe00::1\tip6-allnodes',
          'fe00::2\tip6-allrouters',
          `${formatIpv4(pod.ip)}\t${pod.name}`,
          ''
        ].join('\n')
      }
      return [
        '127.0.0.1\tlocalhost',
        `127.0.1.1\t${target.hostname}`,
        '',
        '# The following lines are desirable for IPv6 capable hosts',
        '::1     localhost ip6-localhost ip6-loopback',
        'ff02::1 ip6-allnodes',
        'ff02::2 ip6-allrouters',
        ''
      ].join('\n')
    case '/etc/resolv.conf': {
      if (pod && !pod.hostNetwork) {
        // dnsPolicy ClusterFirst: the cluster DNS Service is the serviceCIDR's tenth address.
        const svc = parseCidr(lab.scenario.cluster.serviceCIDR)
        const dns = svc ? formatIpv4(cidrHost(svc, 10)) : '10.96.0.10'
        return `search ${pod.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${dns}\noptions ndots:5\n`
      }
      return lab.gateway ? `nameserver ${formatIpv4(lab.gateway.ip)}\n` : ''
    }
    case '/run/flannel/subnet.env': {
      if (target.kind !== 'node' && !(pod && pod.hostNetwork)) return undefined
      const node = lab.nodes.find((n) => n.name === target.node)
      const c = lab.scenario.cluster
      if (!node || c.cni.backend === 'none') return undefined
      const overhead = c.cni.backend === 'vxlan' ? 50 : 0
      const subnet = `${formatIpv4(cidrHost(node.podCIDR, 1))}/${formatCidr(node.podCIDR).split('/')[1] ?? '24'}`
      return `FLANNEL_NETWORK=${c.podCIDR}\nFLANNEL_SUBNET=${subnet}\nFLANNEL_MTU=${c.mtu - overhead}\nFLANNEL_IPMASQ=${c.cni.ipMasq}\n`
    }
    default: {
      if (!path.startsWith('/proc/sys/')) return undefined
      const ns = lab.netns.get(target.netns)
      const value = ns && readSysctl(ns, swapDotsAndSlashes(path.slice('/proc/sys/'.length)))
      return value === undefined ? undefined : `${value}\n`
    }
  }
}
