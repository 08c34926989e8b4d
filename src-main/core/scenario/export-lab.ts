/**
 * `podnet export-lab`: turns a lab plan (every namespace, link, address, route, neighbour, FDB
 * entry, sysctl, ruleset and app of a built scenario) into a bash script that builds the same lab
 * from real Linux network namespaces, so the simulator can be checked against a real kernel.
 *
 * Pure string generation: no node:* here; the CLI and the conformance tests write and run it.
 *
 * Safety contract of the generated script (the lab runs on learners' machines and in CI as root):
 * - every namespace is named `<prefix>-<host>` and the prefix must start with `pnl`;
 * - every link and address is created inside those namespaces; the root namespace's links,
 *   routes, addresses and firewall are never touched;
 * - `down` kills only processes inside the lab's namespaces and deletes the namespaces, which
 *   destroys every link the lab made.
 */

import type { IptTableName } from '../linux/netfilter.ts'

/** A host of the lab: a node, a pod sandbox, an external machine, or the underlay switch. */
export type LabHostKind = 'underlay' | 'node' | 'pod' | 'external'

export type LabLink =
  | {
      kind: 'veth'
      name: string
      mac?: string
      mtu?: number
      /** The peer end, created in another host of the lab (created once, from the side listed first). */
      peer: { host: string; name: string; mac?: string; mtu?: number }
    }
  | { kind: 'bridge'; name: string; mac?: string; mtu?: number }
  | {
      kind: 'vxlan'
      name: string
      vni: number
      local?: string
      dev: string
      dstport: number
      learning: boolean
      mac?: string
      mtu?: number
    }

/** An app a container runs (docs/architecture.md, "What containers run"). */
export interface LabApp {
  kind: 'http' | 'tcp-echo' | 'udp-echo'
  port: number
  /** What `http` answers: the pod name. */
  podName: string
}

export interface LabHost {
  /** Lab-wide unique name; the namespace is `<prefix>-<name>`. */
  name: string
  kind: LabHostKind
  /**
   * Ids this namespace gives its peers (`link-netnsid N`), set before any link exists so they
   * match the simulator's numbering; a real node numbers only its pods (its eth0 is a NIC),
   * whereas the lab's node eth0 is a veth into the underlay and would take an id first.
   */
  nsids: Array<[string, number]>
  /** Sysctls written to /proc/sys right after the namespace exists (no procps needed). */
  sysctls: Array<[string, string]>
  /** Links in creation order (which fixes the ifindexes the kernel hands out). */
  links: LabLink[]
  /** `master` settings for bridge ports: [port, bridge]. */
  masters: Array<[string, string]>
  /** Bridge ports with hairpin mode on (the bridge CNI plugin's hairpinMode). */
  hairpin: string[]
  /** `ip addr add` arguments, e.g. `10.244.1.1/24 dev cni0`. */
  addresses: string[]
  /** Links to bring up, in order (lo first). */
  up: string[]
  /** `ip route add` arguments, in the order the components add them. */
  routes: string[]
  /** `ip neigh add` arguments (flannel's permanent VTEP entries). */
  neighbours: string[]
  /** `bridge fdb append` arguments (flannel's VTEP FDB entries). */
  fdb: string[]
  /** `ipset restore` input (kube-router's policy sets), loaded before the rules that match them. */
  ipsets?: string
  /** iptables-restore input per table, as the component writes it (kube-proxy's own form). */
  iptables: Array<{ table: IptTableName; restore: string }>
  /** `nft -f` input (kube-proxy nftables mode). */
  nft?: string
  apps: LabApp[]
}

export interface LabPlan {
  scenarioId: string
  seed: number
  hosts: LabHost[]
}

export interface ExportLabOptions {
  /** Namespace prefix; must start with `pnl` (default `pnl`). */
  prefix?: string
}

const SAFE_WORD = /^[A-Za-z0-9_.:/@=,+-]+$/
const PREFIX = /^pnl(-[a-z0-9]+)*$/

/** Quotes a word for bash unless it is plainly safe. */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}

function heredoc(tag: string, body: string): string {
  const text = body.endsWith('\n') ? body : body + '\n'
  if (text.split('\n').includes(tag)) throw new Error(`heredoc body contains its terminator ${tag}`)
  return `<<'${tag}'\n${text}${tag}`
}

/**
 * The apps, as one small Python program so that every pod answers the same bytes the simulator's
 * apps produce: `http` a fixed HTTP/1.1 response whose body is the pod name and a newline (no Date
 * header, so the answer is byte-for-byte stable), `tcp-echo` and `udp-echo` what they receive.
 */
export const LAB_APP_PY = `import socket, sys, threading
kind, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == 'udp-echo':
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', port))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', port))
s.listen(128)
body = (name + '\\n').encode()
def serve(c):
    try:
        if kind == 'http':
            buf = b''
            while b'\\r\\n\\r\\n' not in buf:
                chunk = c.recv(4096)
                if not chunk:
                    return
                buf += chunk
            c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: ' + str(len(body)).encode() + b'\\r\\nConnection: close\\r\\n\\r\\n' + body)
        else:
            while True:
                chunk = c.recv(4096)
                if not chunk:
                    return
                c.sendall(chunk)
    except OSError:
        pass
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
`

function linkCommands(host: LabHost, ns: (h: string) => string): string[] {
  const out: string[] = []
  const q = shellQuote
  for (const link of host.links) {
    const n = `ip -n ${q(ns(host.name))}`
    switch (link.kind) {
      case 'veth': {
        const peer = link.peer
        let cmd = `${n} link add ${q(link.name)}`
        if (link.mac) cmd += ` address ${link.mac}`
        if (link.mtu) cmd += ` mtu ${link.mtu}`
        cmd += ` type veth peer name ${q(peer.name)}`
        if (peer.mac) cmd += ` address ${peer.mac}`
        if (peer.mtu) cmd += ` mtu ${peer.mtu}`
        cmd += ` netns ${q(ns(peer.host))}`
        out.push(cmd)
        break
      }
      case 'bridge': {
        let cmd = `${n} link add ${q(link.name)}`
        if (link.mac) cmd += ` address ${link.mac}`
        if (link.mtu) cmd += ` mtu ${link.mtu}`
        out.push(cmd + ' type bridge')
        break
      }
      case 'vxlan': {
        let cmd = `${n} link add ${q(link.name)}`
        if (link.mac) cmd += ` address ${link.mac}`
        if (link.mtu) cmd += ` mtu ${link.mtu}`
        cmd += ` type vxlan id ${link.vni}${link.local === undefined ? '' : ` local ${link.local}`} dev ${q(link.dev)} dstport ${link.dstport}`
        cmd += link.learning ? ' learning' : ' nolearning'
        out.push(cmd)
        break
      }
    }
  }
  return out
}

/** Renders the bash script. Throws on a prefix that would leave the `pnl` namespace family. */
export function renderLabScript(plan: LabPlan, options: ExportLabOptions = {}): string {
  const prefix = options.prefix ?? 'pnl'
  if (!PREFIX.test(prefix)) {
    throw new Error(
      `--prefix ${prefix}: must be "pnl" or start with "pnl-" (lowercase letters, digits and dashes)`
    )
  }
  const names = new Set<string>()
  for (const h of plan.hosts) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(h.name))
      throw new Error(`host name ${h.name}: not a DNS-1123 label`)
    if (names.has(h.name)) throw new Error(`host name ${h.name}: used twice`)
    names.add(h.name)
  }
  const ns = (h: string): string => `${prefix}-${h}`
  const q = shellQuote
  const lines: string[] = []
  const emit = (s: string): void => {
    lines.push(s)
  }

  emit('#!/usr/bin/env bash')
  emit(`# Podnet Lab: scenario ${plan.scenarioId} (seed ${plan.seed}) built from real network namespaces.`)
  emit('# Generated by `podnet export-lab`. Usage: up | down | exec NAME CMD... | list')
  emit(`# Every namespace is named ${prefix}-<host>; nothing is created or changed in the root namespace.`)
  emit('set -euo pipefail')
  emit(`PREFIX=${q(prefix)}`)
  emit(`HOSTS=(${plan.hosts.map((h) => q(h.name)).join(' ')})`)
  emit('')
  emit('die() { echo "$0: $*" >&2; exit 1; }')
  emit('need_root() { [ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"; }')
  emit('has_ns() { [ -e "/run/netns/$1" ]; }')
  emit('')
  // down first, so `up` can clean up after itself when a step fails half-way.
  emit('down() {')
  emit('  local h n pid')
  emit('  for h in "${HOSTS[@]}"; do')
  emit('    n="$PREFIX-$h"')
  emit('    has_ns "$n" || continue')
  emit('    # only processes inside the lab namespace itself (the apps this script started)')
  emit('    for pid in $(ip netns pids "$n" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done')
  emit('  done')
  emit('  for h in "${HOSTS[@]}"; do')
  emit('    n="$PREFIX-$h"')
  emit('    has_ns "$n" || continue')
  emit('    for pid in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done')
  emit('    ip netns del "$n"')
  emit('  done')
  emit('}')
  emit('')
  emit('wait_port() { # NS PROTO PORT: the app is listening')
  emit('  local i')
  emit('  for i in $(seq 100); do')
  emit('    if ip netns exec "$1" ss -H -ln"$2" "sport = :$3" | grep -q .; then return 0; fi')
  emit('    sleep 0.02')
  emit('  done')
  emit('  die "app in $1 did not listen on $2 port $3"')
  emit('}')
  emit('')
  // Right after link-up the kernel runs IPv6 duplicate address detection on every link-local
  // address, and `ip addr` prints `tentative` until it ends (about a second, longer on a quiet
  // machine's first run). The lab is up when the kernel says so, not when the last command ran.
  emit('wait_dad() { # every address of every lab host out of DAD; a dadfailed one is an error')
  emit('  local h n i pending failed')
  emit('  for i in $(seq 300); do')
  emit('    pending=""')
  emit('    for h in "${HOSTS[@]}"; do')
  emit('      n="$PREFIX-$h"')
  emit('      failed=$(ip -n "$n" -6 -o addr show dadfailed)')
  emit(
    '      [ -z "$failed" ] || { echo "$0: $n: duplicate address detection failed: $failed" >&2; return 1; }'
  )
  emit('      [ -z "$(ip -n "$n" -6 -o addr show tentative)" ] || pending="$pending $n"')
  emit('    done')
  emit('    [ -n "$pending" ] || return 0')
  emit('    sleep 0.1')
  emit('  done')
  emit('  echo "$0: still tentative after 30 s (IPv6 duplicate address detection):$pending" >&2')
  emit('  return 1')
  emit('}')
  emit('')
  emit('up() {')
  emit('  need_root')
  emit('  local h')
  emit(
    '  for h in "${HOSTS[@]}"; do has_ns "$PREFIX-$h" && die "$PREFIX-$h exists already; run down first"; done'
  )
  emit('  trap \'echo "up failed; cleaning up" >&2; down\' ERR')
  for (const h of plan.hosts) emit(`  ip netns add ${q(ns(h.name))}`)
  for (const h of plan.hosts) {
    for (const [peer, id] of h.nsids) emit(`  ip -n ${q(ns(h.name))} netns set ${q(ns(peer))} ${id}`)
  }
  for (const h of plan.hosts) {
    if (h.sysctls.length === 0) continue
    const writes = h.sysctls.map(([k, v]) => {
      if (!/^[a-z0-9_.-]+$/.test(k) || !/^[0-9a-z ._-]*$/i.test(v))
        throw new Error(`sysctl ${k}=${v}: unexpected characters`)
      return `echo ${v} > /proc/sys/${k.replaceAll('.', '/')}`
    })
    emit(`  ip netns exec ${q(ns(h.name))} sh -c ${q(writes.join('; '))}`)
  }
  for (const h of plan.hosts) for (const c of linkCommands(h, ns)) emit('  ' + c)
  for (const h of plan.hosts) {
    const n = `ip -n ${q(ns(h.name))}`
    for (const [port, br] of h.masters) emit(`  ${n} link set ${q(port)} master ${q(br)}`)
    for (const port of h.hairpin) emit(`  ${n} link set ${q(port)} type bridge_slave hairpin on`)
    for (const a of h.addresses) emit(`  ${n} addr add ${a}`)
    for (const l of h.up) emit(`  ${n} link set ${q(l)} up`)
  }
  for (const h of plan.hosts) {
    const n = `ip -n ${q(ns(h.name))}`
    for (const r of h.routes) emit(`  ${n} route add ${r}`)
    for (const nb of h.neighbours) emit(`  ${n} neigh add ${nb}`)
    for (const f of h.fdb) emit(`  bridge -n ${q(ns(h.name))} fdb append ${f}`)
  }
  let tag = 0
  for (const h of plan.hosts) {
    if (h.ipsets)
      emit(`  ip netns exec ${q(ns(h.name))} ipset restore ${heredoc(`PNL_RULES_${tag++}`, h.ipsets)}`)
    for (const t of h.iptables) {
      emit(
        `  ip netns exec ${q(ns(h.name))} iptables-restore --noflush ${heredoc(`PNL_RULES_${tag++}`, t.restore)}`
      )
    }
    if (h.nft) emit(`  ip netns exec ${q(ns(h.name))} nft -f - ${heredoc(`PNL_RULES_${tag++}`, h.nft)}`)
  }
  const appHosts = plan.hosts.filter((h) => h.apps.length > 0)
  if (appHosts.length > 0) {
    emit('  local app_py')
    emit(`  app_py=$(cat ${heredoc('PNL_APP_PY', LAB_APP_PY)}`)
    emit('  )')
    for (const h of appHosts) {
      for (const a of h.apps) {
        emit(
          `  ip netns exec ${q(ns(h.name))} setsid python3 -c "$app_py" ${a.kind} ${a.port} ${q(a.podName)} </dev/null >/dev/null 2>&1 &`
        )
      }
    }
    for (const h of appHosts) {
      for (const a of h.apps)
        emit(`  wait_port ${q(ns(h.name))} ${a.kind === 'udp-echo' ? 'u' : 't'} ${a.port}`)
    }
  }
  emit('  wait_dad')
  emit('  trap - ERR')
  emit('}')
  emit('')
  // The lab's namespaces are named (ip netns needs that), but on a real node the pod's peer lives
  // in the unnamed root namespace and iproute2 prints `link-netnsid 0`, not a name. Hiding
  // /run/netns inside the command's own mount namespace (ip netns exec made it private) gives
  // the same output as a real node or pod.
  emit('run_in() { # NAME CMD...')
  emit('  local n="$PREFIX-$1"; shift')
  emit('  has_ns "$n" || die "no such lab host: ${n#"$PREFIX-"} (is the lab up?)"')
  emit(`  ip netns exec "$n" sh -c 'mount -t tmpfs pnl-hide /run/netns 2>/dev/null; exec "$@"' sh "$@"`)
  emit('}')
  emit('')
  emit('case "${1:-}" in')
  emit('  up) up ;;')
  emit('  down) need_root; down ;;')
  emit('  exec) [ $# -ge 3 ] || die "usage: $0 exec NAME CMD..."; shift; need_root; run_in "$@" ;;')
  emit('  list) printf \'%s\\n\' "${HOSTS[@]}" ;;')
  emit('  *) echo "usage: $0 up | down | exec NAME CMD... | list" >&2; exit 2 ;;')
  emit('esac')
  return lines.join('\n') + '\n'
}
