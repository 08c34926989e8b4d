import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { labShell, run as simRun } from '../core/shell-fixture.ts'
import { claimNetnsPrefix, type NetnsPrefix } from './netns-prefix.ts'
import { realLabUnavailable, type Output } from './real-lab.ts'
import { twoVethsIn } from './two-veths.ts'

/**
 * Addresses and routes as the kernel keeps them, built by the same command lines in a
 * namespace the simulator's node makes with `ip netns add` and in a real one: gateways checked
 * in the route's table, secondary addresses and their promotion, routes through a device
 * without carrier (`linkdown`), and a bridge's carrier as ports come and go. Every line names
 * the namespace (`ip -n`, `ip netns exec`), so the real side touches nothing outside it.
 */

/** The base of the run's own namespace name (netns-prefix.ts); test titles show it. */
const BASE = 'pnl-rt'
const unavailable = realLabUnavailable()

/** A bridge reports carrier changes through linkwatch, which takes up to a second for it. */
const SETTLE = 'sleep 1.2'
/** `ip -n NS monitor route` listens on both sides from WATCH to UNWATCH; compared as one test. */
const WATCH = 'start ip monitor route'
const UNWATCH = 'stop ip monitor route'
/** A link-local address stays tentative until duplicate address detection, up to two seconds. */
const DAD = 'sleep 2'
/** Not compared line by line. */
const UNCOMPARED = new Set([SETTLE, DAD, WATCH, UNWATCH])

/** A second namespace, with no IPv4 address beyond lo's, for getaddrinfo's AI_ADDRCONFIG. */
const bare = (ns: string): string => `${ns}-bare`

function linesIn(ns: string): { build: string[]; steps: string[] } {
  const ip = (args: string): string => `ip -n ${ns} ${args}`
  const inNs = (line: string): string => `ip netns exec ${ns} ${line}`
  const inBare = (line: string): string => `ip netns exec ${bare(ns)} ${line}`

  const build = [
    ...twoVethsIn(ns),
    ip('addr add 10.0.0.2/24 brd + dev eth0'),
    ip('addr add 172.16.0.2/24 dev eth1'),
    ip('route add 192.168.50.0/24 dev eth1 table 100'),
    ip('route add 10.20.0.0/16 via 10.0.0.1'),
    `ip netns add ${bare(ns)}`
  ]

  /** Compared line by line, in order (SETTLE runs on the real side only, see UNCOMPARED). */
  const steps = [
    // The IPv6 every host has though the cluster is IPv4-only: ::1, a link-local address per
    // link and their kernel routes, no default route, IPv6's own rules, no neighbours. Listings
    // name one link: the order of links in a whole one is the order they got carrier.
    DAD,
    ip('-6 addr show dev eth0'),
    ip('-6 addr show dev lo'),
    ip('-6 -br addr show dev eth1'),
    ip('-family inet6 addr show dev eth1'),
    ip('-4 -6 addr show dev lo'),
    ip('-0 addr show dev eth0'),
    ip('-f bogus addr'),
    ip('-6 route show dev eth0'),
    ip('-f inet6 route show table local dev eth0'),
    ip('-6 route show table local dev lo'),
    ip('-6 route show table all dev eth1'),
    ip('-6 route show table all type multicast dev eth0'),
    ip('-6 route show table 100'),
    ip('route show table all dev eth0'),
    ip('-6 route get ::1'),
    ip('route get ::1'),
    ip('-6 route get 2001:db8::1'),
    ip('-6 route get fe80::1 oif eth1'),
    ip('-6 route get 10.0.0.1'),
    ip('-6 rule'),
    ip('-6 rule show table main'),
    ip('-6 neigh show dev eth0'),
    ip('-0 route'),
    inNs('ping -c 1 ::1'),
    inNs('ping -6 -c 2 -i 0.2 ::'),
    inNs('ping -c 1 -I lo ::1'),
    inNs('ping -c 1 -I eth0 ::1'),
    inNs('ping -c 1 2001:db8::1'),
    inNs('ping -4 -c 1 ::1'),
    inNs('ping -6 -c 1 127.0.0.1'),
    inNs('ping -c 1 fe80::1%nosuch'),
    inNs('curl -sv http://[::1]:9/'),
    inNs('curl -sv http://[2001:db8::1]:9/'),
    // A gateway is looked up in the route's own table, then as the rules direct.
    ip('route add 10.9.0.0/24 via 10.0.0.9 table 100'),
    ip('route add 10.9.1.0/24 via 10.0.0.9 dev eth0 table 100'),
    ip('route add 10.9.2.0/24 via 10.0.0.9 dev eth1 table 100'),
    ip('route add 10.9.3.0/24 via 10.0.0.9 dev eth1'),
    ip('route add 10.9.4.0/24 via 10.0.0.9 dev eth1 onlink'),
    ip('route add 10.9.5.0/24 via 192.168.50.9 table 100'),
    ip('route add 10.9.6.0/24 via 192.168.50.9 dev eth1 table 100'),
    ip('route add 10.9.7.0/24 via 192.168.50.9'),
    ip('route add 10.9.9.0/24 via 192.168.50.9 table 200'),
    ip('route add 10.9.10.0/24 via 10.99.0.1'),
    ip('route add 10.9.11.0/24 via 10.99.0.1 onlink'),
    ip('route add 10.9.12.0/24 via 10.20.0.5'),
    ip('route add 10.9.13.0/24 via 10.20.0.5 dev eth0'),
    ip('route add 10.9.14.0/24 via 10.0.0.2'),
    ip('route add 10.9.16.0/24 via 10.0.0.255'),
    ip('route add 10.9.17.0/24 via 127.0.0.1'),
    ip('route add 10.9.19.0/24 via 10.0.0.9 dev lo'),
    ip('route add 10.9.20.0/24 via 10.0.0.0'),
    ip('route add 10.9.22.0/24 via 10.99.0.1 dev eth0 onlink'),
    ip('route show table all'),
    // A gateway that is the host's own address is no gateway: out of lo, that is delivery here.
    ip('route get 10.9.17.5'),
    ip('route get 10.9.17.5 from 10.0.0.2'),
    ip('route get 10.9.14.5'),
    ip('route get 10.9.22.5'),
    // A listing's selector: a bare prefix is exact, root takes what lies inside, match what covers.
    ip('route add 10.244.0.0/16 via 10.0.0.5'),
    ip('route add 10.244.1.0/24 via 10.0.0.6'),
    ip('route add 10.244.0.0/24 dev eth1'),
    ip('route add blackhole 10.244.9.0/24'),
    ip('route add 10.244.8.0/24 dev eth0 scope host'),
    ip('route list 10.244.0.0/16'),
    ip('route show 10.244/16'),
    ip('route show 10.244.1.5'),
    ip('route show root 10.244.0.0/16'),
    ip('route show match 10.244.1.5'),
    ip('route show exact 10.244.0.0/24'),
    ip('route show to root 10.244.0.0/16 match 10.244.1.0/24'),
    ip('route show 10.244.0.0/16 10.20.0.0/16'),
    ip('route show root 0/0 table 100'),
    ip('route show all'),
    ip('route show table all root 172.16.0.0/24'),
    ip('route show table local type broadcast'),
    ip('route show dev eth1'),
    ip('route show oif eth1 root 10.244.0.0/16'),
    ip('route show via 10.0.0.9'),
    ip('route show via 10.0.0.0/24 root 10.244.0.0/16'),
    ip('route show scope link'),
    ip('route show scope host'),
    ip('route show scope 253 dev eth0'),
    ip('route show scope all root 10.244.0.0/16'),
    ip('route show type blackhole'),
    ip('route show type unicast root 10.244.0.0/16'),
    ip('route show table local type local src 10.0.0.2'),
    ip('route show table local src 172.16.0.0/16'),
    ip('route show pro kernel dev eth0'),
    // A route that refuses makes connect() itself fail, which curl words apart from a refusal
    // that comes back later: blackhole, prohibit, unreachable, and no route at all.
    ip('route add prohibit 10.244.10.0/24'),
    ip('route add unreachable 10.244.11.0/24'),
    inNs('curl -sv http://10.244.9.1/'),
    inNs('curl -sv http://10.244.10.1/'),
    inNs('curl -sv http://10.244.11.1/'),
    inNs('curl -sv http://192.0.2.1/'),
    ip('route del prohibit 10.244.10.0/24'),
    ip('route del unreachable 10.244.11.0/24'),
    // Any protocol of rt_protos, or a number up to 255, which prints by its name if it has one.
    ip('route add 10.244.20.0/24 dev eth0 proto 42'),
    ip('route add 10.244.21.0/24 dev eth0 proto dhcp'),
    ip('route add 10.244.22.0/24 dev eth0 proto 0x0c'),
    ip('route add 10.244.23.0/24 dev eth0 prot 7'),
    ip('route add 10.244.24.0/24 dev eth0 proto 256'),
    ip('route add 10.244.25.0/24 dev eth0 proto bogus'),
    ip('route show root 10.244.0.0/16'),
    ip('route show proto babel'),
    ip('route show proto 16'),
    ip('route show proto 7'),
    ip('route show proto bird dev eth0'),
    ip('route show proto all root 10.244.20.0/22'),
    ip('route show proto bogus'),
    ip('route del 10.244.20.0/24'),
    ip('route del 10.244.21.0/24'),
    ip('route del 10.244.22.0/24'),
    ip('route del 10.244.23.0/24'),
    // `ip neigh show` reads a bare word as an address prefix and a device only after `dev`.
    ip('neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev eth0 nud permanent'),
    ip('neigh add 172.16.0.60 lladdr 02:00:00:00:00:60 dev eth1 nud stale'),
    ip('neigh show 10.0.0.0/24'),
    ip('neigh show 10.0.0.50'),
    ip('neigh show to 172.16.0.60'),
    ip('neigh show 172.16/16'),
    ip('neigh show dev eth1'),
    ip('neigh show 172.16.0.0/24 dev eth0'),
    ip('neigh show nud permanent'),
    ip('neigh show nud stale dev eth1'),
    ip('neigh show eth0'),
    ip('neigh show 10.0.0.0/33'),
    ip('neigh show dev nosuch'),
    ip('neigh show to'),
    ip('neigh show nud bogus'),
    ip('neigh del 10.0.0.50 dev eth0'),
    ip('neigh del 172.16.0.60 dev eth1'),
    // A flush takes show's selectors; without `nud` it spares PERMANENT entries.
    ip('neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev eth0 nud permanent'),
    ip('neigh add 172.16.0.60 lladdr 02:00:00:00:00:60 dev eth1 nud stale'),
    ip('neigh flush'),
    ip('neigh flush bogus'),
    ip('neigh flush dev nosuch'),
    ip('neigh flush all'),
    ip('neigh show'),
    ip('neigh flush 10.0.0.50 nud permanent'),
    ip('neigh show'),
    // A listing hides NOARP entries unless asked; a flush's `nud all` takes PERMANENT ones but
    // still spares NOARP. `-4` leaves out the kernel's own IPv6 multicast entries; each listing
    // holds one entry, as the kernel lists its hash table in no order the lab keeps.
    ip('neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev eth0 nud permanent'),
    ip('neigh add 10.0.0.51 lladdr 02:00:00:00:00:51 dev eth0 nud noarp'),
    ip('neigh add 10.0.0.53 lladdr 02:00:00:00:00:53 dev eth0 nud bogus'),
    ip('neigh show'),
    `ip -4 -n ${ns} neigh show nud all 10.0.0.51`,
    `ip -4 -n ${ns} neigh show nud noarp`,
    ip('neigh flush nud all'),
    `ip -4 -n ${ns} neigh show nud all`,
    ip('neigh flush dev eth0 nud noarp'),
    `ip -4 -n ${ns} neigh show nud all`,
    ip('route show scope bogus'),
    ip('route show type bogus'),
    ip('route show dev nosuch'),
    ip('route show root'),
    ip('route show eth0'),
    ip('route show 10.244.0.0/33'),
    ip('route del 10.244.0.0/16'),
    ip('route del 10.244.1.0/24'),
    ip('route del 10.244.0.0/24'),
    ip('route del unreachable 10.244.9.0/24'),
    ip('route del blackhole 10.244.9.0/24'),
    ip('route del 10.244.8.0/24'),
    // Secondary addresses share their primary's prefix route.
    inNs('sysctl net.ipv4.conf.eth0.promote_secondaries'),
    ip('addr add 10.0.0.3/24 dev eth0'),
    ip('addr add 10.0.0.1/24 brd + dev eth0'),
    ip('addr add 10.5.0.1/16 dev eth0'),
    ip('addr add 10.0.0.9/25 dev eth0'),
    ip('addr add 10.0.0.200/32 dev eth0'),
    ip('addr add 10.0.0.3/24 dev eth0'),
    // A deletion with a length wants that length.
    ip('addr del 10.0.0.3/16 dev eth0'),
    ip('addr del 10.0.0.3/32 dev eth0'),
    ip('-4 addr show dev eth0'),
    ip('-br -4 addr show dev eth0'),
    ip('route'),
    ip('route show table local'),
    ip('route get 10.0.0.50'),
    ip('addr del 10.0.0.3/24 dev eth0'),
    ip('-4 addr show dev eth0'),
    ip('route show table local'),
    ip('addr del 10.0.0.2/24 dev eth0'),
    ip('-4 addr show dev eth0'),
    ip('route show table all'),
    ip('addr add 10.0.0.2/24 dev eth0'),
    ip('addr add 10.0.0.3/24 dev eth0'),
    ip('addr add 10.0.0.4/24 dev eth0'),
    inNs('sysctl -w net.ipv4.conf.eth0.promote_secondaries=1'),
    ip('addr del 10.0.0.2/24 dev eth0'),
    ip('-4 addr show dev eth0'),
    ip('route show table all'),
    ip('route get 10.0.0.77'),
    ip('route get 10.0.0.255'),
    ip('route get 10.0.0.0'),
    ip('addr add 10.0.0.3/25 dev eth0'),
    ip('addr del 10.0.0.3/26 dev eth0'),
    ip('-4 addr show dev eth0'),
    ip('route show table all'),
    ip('route add 10.9.18.0/24 via 0.0.0.0 dev eth0'),
    ip('route add 10.9.30.0/24 dev eth0 src 10.0.0.4'),
    ip('route add 10.9.31.0/24 via 10.0.0.9 src 10.0.0.4'),
    ip('addr del 10.0.0.4/24 dev eth0'),
    ip('route'),
    ip('addr del 10.0.0.3 dev eth0'),
    ip('-4 addr show dev eth0'),
    ip('addr add 10.0.0.3/24 dev eth0 scope link'),
    ip('route del 10.0.0.0/24 dev eth0'),
    ip('route'),
    ip('addr add 10.0.0.8/24 dev eth0'),
    ip('route'),
    ip('-4 addr show dev eth0'),
    // A device without carrier keeps its routes, marked; one taken down loses them.
    WATCH,
    ip('link set peer0 down'),
    ip('link show eth0'),
    ip('-d link show eth0'),
    ip('route'),
    ip('route show table all'),
    ip('route get 10.0.0.77'),
    ip('route get 10.9.0.1'),
    ip('route add 10.9.26.0/24 via 10.0.0.9'),
    ip('route add 10.9.27.0/24 dev eth0'),
    ip('route show dev eth0'),
    ip('link set peer0 up'),
    ip('route'),
    ip('link set peer0 down'),
    ip('link set eth0 down'),
    ip('route show table all'),
    ip('link set eth0 up'),
    ip('route show table all'),
    ip('link set eth1 down'),
    ip('route add 10.9.23.0/24 via 172.16.0.9'),
    ip('route add 10.9.24.0/24 dev eth1'),
    ip('route add 10.9.25.0/24 via 172.16.0.9 dev eth1 onlink'),
    UNWATCH,
    // A bridge has carrier until its first port; then only while a port has.
    ip('link add br0 type bridge'),
    ip('link set br0 up'),
    SETTLE,
    ip('link show br0'),
    ip('addr add 10.1.0.1/24 dev br0'),
    ip('route show dev br0'),
    ip('link add v0 type veth peer name v1'),
    ip('link set v0 mtu 1400'),
    ip('link set v0 master br0'),
    SETTLE,
    ip('link show br0'),
    ip('route show dev br0'),
    ip('link set v0 up'),
    ip('link set v1 up'),
    SETTLE,
    ip('link show br0'),
    ip('route show dev br0'),
    ip('link set v1 down'),
    SETTLE,
    ip('link show br0'),
    ip('route show table all dev br0'),
    ip('link set v0 nomaster'),
    SETTLE,
    ip('link show br0'),
    ip('route show dev br0'),
    // A link gets its link-local address when it first has carrier, tentative until DAD ends,
    // and keeps it while up without carrier; its routes come in the order links got carrier.
    ip('link add eth2 type veth peer name peer2'),
    ip('link set eth2 up'),
    ip('-6 addr show dev eth2'),
    ip('-6 route show table all dev eth2'),
    ip('link set peer2 up'),
    ip('-6 addr show dev eth2'),
    ip('-6 route show table all dev eth2'),
    ip('-6 route show'),
    DAD,
    ip('-6 addr show dev eth2'),
    ip('-6 route show table all dev peer2'),
    ip('link set peer2 down'),
    ip('-6 addr show dev eth2'),
    ip('-6 route show table all dev eth2'),
    // localhost as getaddrinfo has it from the hosts file: ::1 sorts before 127.0.0.1; ping
    // asks for both families and takes the first of the one -4 or -6 names.
    inNs('getent hosts localhost'),
    inNs('getent ahosts localhost'),
    inNs('getent ahostsv4 localhost'),
    inNs('ping -c 1 localhost'),
    inNs('ping -4 -c 1 localhost'),
    inNs('ping -6 -c 1 localhost'),
    inNs('ping -4 -c 1 ip6-localhost'),
    // AI_ADDRCONFIG counts no loopback address: with none else both families answer, IPv4
    // alone none, and a link-local address leaves IPv6 alone.
    inBare('getent ahosts localhost'),
    inBare('ping -c 1 localhost'),
    `ip -n ${bare(ns)} link set lo up`,
    inBare('getent ahosts localhost'),
    inBare('getent ahostsv4 localhost'),
    `ip -n ${bare(ns)} link add v6 type veth peer name v6peer`,
    `ip -n ${bare(ns)} link set v6 up`,
    `ip -n ${bare(ns)} link set v6peer up`,
    inBare('getent ahosts localhost'),
    inBare('ping -c 1 localhost'),
    // Last, as traffic over lo leaves the kernel a `0.0.0.0 dev lo` NOARP neighbour the lab has
    // not: curl tries ::1 once 127.0.0.1 refuses.
    inNs('curl -sv http://localhost:9/')
  ]
  return { build, steps }
}

/** Links made without an address have random MACs on a real kernel; the zero MAC is no accident. */
const anyMac = (text: string): string =>
  text.replace(/\b(?!00:00:00:00:00:00|ff:ff:ff:ff:ff:ff)[0-9a-f]{2}(:[0-9a-f]{2}){5}\b/g, 'MAC')

/** The kernel's IPv6 routes are no part of what the simulator models. */
const v4 = (o: Output): Output => ({
  ...o,
  stdout: anyMac(
    o.stdout
      .split('\n')
      .filter((l) => !/^(local |multicast |anycast )?(fe80::|::1|ff00::)/.test(l))
      .join('\n')
  )
})

/**
 * For the IPv6 steps: link-local addresses come from each side's own random MACs, and a round
 * trip or a connection's milliseconds are the machine's.
 */
const v6 = (o: Output): Output => {
  const mask = (text: string): string =>
    anyMac(text)
      .replace(/fe80::[0-9a-f:]+/g, 'fe80::LL')
      .replace(/time=\d+\.\d+ ms/g, 'time=T ms')
      .replace(/time \d+ms/g, 'time Tms')
      .replace(/= [\d./]+ ms/g, '= T ms')
      .replace(/after \d+ ms/g, 'after T ms')
  return { ...o, stdout: mask(o.stdout), stderr: mask(o.stderr) }
}
const IPV6_STEP = /( -6 | -f | -family | -0 | -4 -6 |ping |curl |getent |get ::1)/

describe.skipIf(unavailable !== undefined)('addresses and routes are kept as the kernel keeps them', () => {
  const sim = labShell()
  const realOut: Output[] = []
  const simOut: Output[] = []

  const onReal = (line: string): Output => {
    const r = spawnSync('sh', ['-c', line], { encoding: 'utf8', timeout: 20_000 })
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? 1 }
  }
  let claim: NetnsPrefix | undefined
  let realEvents = ''
  let simEvents = ''

  beforeAll(async () => {
    claim = await claimNetnsPrefix(BASE)
    const { build, steps } = linesIn(claim.prefix)
    // `ip netns exec` reads /etc/netns/NS/hosts in place of /etc/hosts: the node's own.
    const hosts = simRun(sim, 'node-1', 'cat /etc/hosts').stdout
    for (const ns of [claim.prefix, bare(claim.prefix)]) {
      mkdirSync(`/etc/netns/${ns}`, { recursive: true })
      writeFileSync(`/etc/netns/${ns}/hosts`, hosts)
    }
    for (const line of build) {
      const real = onReal(line)
      const simulated = simRun(sim, 'node-1', line)
      if (real.exitCode !== 0 || simulated.exitCode !== 0)
        throw new Error(`${line}: real ${real.stderr} / simulated ${simulated.stderr}`)
    }
    const watch = ['-n', claim.prefix, 'monitor', 'route']
    const simMonitor = sim.liveTerminal('node-1', { schedule: () => () => undefined })!
    let realMonitor: ReturnType<typeof spawn> | undefined
    for (const line of steps) {
      if (line === SETTLE) {
        onReal(line)
      } else if (line === DAD) {
        onReal(line)
        simRun(sim, 'node-1', line)
      } else if (line === WATCH) {
        realMonitor = spawn('ip', watch, { stdio: ['ignore', 'pipe', 'ignore'] })
        realMonitor.stdout!.setEncoding('utf8').on('data', (d: string) => (realEvents += d))
        // Until ip has joined the group, the kernel's events would pass it by.
        onReal('sleep 0.5')
        simMonitor.run(`ip ${watch.join(' ')}`)
      } else if (line === UNWATCH) {
        onReal('sleep 0.5')
        const ended = new Promise((resolve) => realMonitor!.on('close', resolve))
        realMonitor!.kill('SIGINT')
        await ended
        simEvents = simMonitor
          .settle()
          .chunks.map((c) => c.text)
          .join('')
        simMonitor.interrupt()
      } else {
        realOut.push(onReal(line))
        simOut.push(simRun(sim, 'node-1', line))
      }
    }
  }, 90_000)

  afterAll(() => {
    if (!claim) return
    for (const ns of [claim.prefix, bare(claim.prefix)]) {
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true })
    }
    claim.release()
  })

  linesIn(BASE)
    .steps.filter((line) => !UNCOMPARED.has(line))
    .forEach((line, i) => {
      test(`${String(i + 1).padStart(2, '0')} ${line}`, () => {
        const normalised = IPV6_STEP.test(line) ? v6 : v4
        expect(normalised(simOut[i]!)).toEqual(normalised(realOut[i]!))
      })
    })

  test('ip monitor route announces the routes of a device without carrier as linkdown', () => {
    const ipv4Events = (text: string): string[] =>
      text
        .split('\n')
        .filter((l) => l !== '' && !/^(Deleted )?(local |multicast |anycast )?(fe80::|::1|ff00::)/.test(l))
    expect(ipv4Events(realEvents).some((l) => l.endsWith(' linkdown '))).toBe(true)
    expect(ipv4Events(simEvents)).toEqual(ipv4Events(realEvents))
  })
})
