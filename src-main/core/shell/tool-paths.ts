/**
 * Where each tool of the lab lives, for lookups by PATH (`command -v`, `type`, `which`, `_`)
 * and commands typed by path (`/sbin/ip`). Debian 12 merges /bin into /usr/bin and /sbin into
 * /usr/sbin, so a tool its package installs under either name is found under both; ip and
 * traceroute are in both bin and sbin (iproute2's /sbin/ip link, traceroute's two
 * alternatives). The busybox image links every applet in /bin alone.
 */

type Directory = 'bin' | 'sbin'

const SBIN = [
  'bridge',
  'conntrack',
  'ipset',
  'iptables',
  'iptables-save',
  'ipvsadm',
  'modprobe',
  'nft',
  'sysctl'
]
const BOTH = ['ip', 'traceroute']

function directoriesOf(tool: string): readonly Directory[] {
  if (BOTH.includes(tool)) return ['sbin', 'bin']
  return SBIN.includes(tool) ? ['sbin'] : ['bin']
}

/** Every path the tool is found at. */
export function toolPaths(tool: string, busybox: boolean): string[] {
  if (busybox) return [`/bin/${tool}`]
  return directoriesOf(tool).flatMap((d) => [`/usr/${d}/${tool}`, `/${d}/${tool}`])
}

/** The path a PATH search finds the tool at (`search` is PATH's value), if any. */
export function findInPath(tool: string, search: string, busybox: boolean): string | undefined {
  const paths = toolPaths(tool, busybox)
  for (const dir of search.split(':')) {
    const path = `${dir === '' ? '.' : dir.replace(/\/+$/, '')}/${tool}`
    if (paths.includes(path)) return path
  }
  return undefined
}
