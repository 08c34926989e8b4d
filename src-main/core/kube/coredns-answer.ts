import { addressOfReverseName, type DnsMessage, type DnsRecord } from '../net/dns-message.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import { CLUSTER_DOMAIN } from './cluster-dns.ts'
import { headlessAddresses } from './endpoints.ts'
import type { Lab } from './lab.ts'
import type { KubeService } from './objects.ts'

/**
 * kubeadm's Corefile sets `ttl 30` on the kubernetes plugin: records and the SOA's negative
 * TTL are both 30 s.
 */
const TTL = 30
/** The SOA refresh, retry and expire CoreDNS's kubernetes plugin writes. */
const SOA_TIMERS = { refresh: 7200, retry: 1800, expire: 86400 }

function soa(lab: Lab): DnsRecord {
  return {
    name: `${CLUSTER_DOMAIN}.`,
    ttl: TTL,
    type: 'SOA',
    soa: {
      mname: `ns.dns.${CLUSTER_DOMAIN}.`,
      rname: `hostmaster.${CLUSTER_DOMAIN}.`,
      // The plugin's serial is the time of the last change it saw from the API server.
      serial: Math.floor(lab.clock.epochMs / 1000),
      ...SOA_TIMERS,
      minimum: TTL
    }
  }
}

type Found = { kind: 'addresses'; addresses: string[] } | { kind: 'exists' } | { kind: 'none' }

/**
 * A headless Service's name answers with every ready endpoint (none is NOERROR without an
 * answer: kubeadm's Corefile doesn't set `ignore empty_service`), and each endpoint's
 * hostname one label below it answers with that endpoint alone.
 */
function lookupHeadless(lab: Lab, svc: KubeService, more: readonly string[]): Found {
  const all = headlessAddresses(lab, svc)
  if (more.length === 0)
    return all.length === 0 ? { kind: 'exists' } : { kind: 'addresses', addresses: all.map((a) => a.ip) }
  const hit = more.length === 1 ? all.filter((a) => a.hostname === more[0]) : []
  return hit.length === 0 ? { kind: 'none' } : { kind: 'addresses', addresses: hit.map((a) => a.ip) }
}

/** What the kubernetes plugin knows under cluster.local, for the labels before the zone. */
function lookupCluster(lab: Lab, labels: readonly string[]): Found {
  const namespaces = new Set([
    'default',
    'kube-system',
    'kube-public',
    'kube-node-lease',
    ...lab.pods.map((p) => p.namespace),
    ...lab.services.map((s) => s.namespace)
  ])
  const [kind, ns, name, ...more] = [...labels].reverse()
  if (kind === undefined) return { kind: 'exists' }
  if (kind === 'svc') {
    if (ns === undefined) return { kind: 'exists' }
    if (!namespaces.has(ns)) return { kind: 'none' }
    if (name === undefined) return { kind: 'exists' }
    const svc = lab.services.find((s) => s.namespace === ns && s.name === name)
    if (!svc) return { kind: 'none' }
    if (svc.headless) return lookupHeadless(lab, svc, more)
    if (more.length > 0) return { kind: 'none' }
    return { kind: 'addresses', addresses: [formatIpv4(svc.clusterIP)] }
  }
  if (kind === 'pod') {
    if (ns === undefined) return { kind: 'exists' }
    if (name === undefined) return namespaces.has(ns) ? { kind: 'exists' } : { kind: 'none' }
    // `pods insecure`: the address is read from the name, without asking whether a pod has it.
    const m = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/.exec(name)
    if (!m || more.length > 0 || m.slice(1).some((o) => Number(o) > 255)) return { kind: 'none' }
    return { kind: 'addresses', addresses: [m.slice(1).join('.')] }
  }
  return { kind: 'none' }
}

/**
 * The names the kubernetes plugin gives an address, as its serviceRecordForIP finds them: a
 * Service's name for its ClusterIP, else `<hostname>.<service>.<namespace>.svc.cluster.local`
 * for every Service whose endpoints hold it.
 */
function namesOfAddress(lab: Lab, ip: string): string[] {
  const service = lab.services.find((s) => !s.headless && formatIpv4(s.clusterIP) === ip)
  if (service) return [`${service.name}.${service.namespace}.svc.${CLUSTER_DOMAIN}.`]
  return lab.services.flatMap((s) =>
    headlessAddresses(lab, s)
      .filter((a) => a.ip === ip)
      .map((a) => `${a.hostname}.${s.name}.${s.namespace}.svc.${CLUSTER_DOMAIN}.`)
  )
}

/**
 * CoreDNS's answer to a query, as kubeadm's Corefile configures it: names under cluster.local
 * and the addresses of Services and their endpoints (in-addr.arpa) from the kubernetes plugin, authoritative and without recursion available (dig warns about
 * it); names outside it go to `forward . /etc/resolv.conf`, which in the lab reaches no
 * upstream server, so they fail with SERVFAIL.
 */
export function coreDnsAnswer(lab: Lab, query: DnsMessage): DnsMessage {
  const base = {
    id: query.id,
    response: true,
    recursionDesired: query.recursionDesired,
    question: query.question,
    ...(query.edns ? { edns: { udpSize: query.edns.udpSize, cookie: false } } : {})
  }
  const name = query.question.name.toLowerCase()
  const zone = `.${CLUSTER_DOMAIN}.`
  const reversed = addressOfReverseName(name)
  // kubeadm's Corefile has `fallthrough in-addr.arpa ip6.arpa`: an address the plugin has no
  // name for goes on to `forward`, as a name outside cluster.local does.
  const pointers =
    reversed === undefined || query.question.type !== 'PTR' ? [] : namesOfAddress(lab, reversed)
  if (pointers.length > 0)
    return {
      ...base,
      authoritative: true,
      recursionAvailable: false,
      rcode: 'NOERROR',
      answers: pointers.map((target) => ({ name: query.question.name, ttl: TTL, type: 'PTR', target })),
      authority: []
    }
  if (!name.endsWith(zone) && name !== `${CLUSTER_DOMAIN}.`)
    return {
      ...base,
      authoritative: false,
      recursionAvailable: true,
      rcode: 'SERVFAIL',
      answers: [],
      authority: []
    }
  const labels = name === `${CLUSTER_DOMAIN}.` ? [] : name.slice(0, -zone.length).split('.')
  const found = lookupCluster(lab, labels)
  const cluster = { ...base, authoritative: true, recursionAvailable: false }
  if (found.kind === 'none') return { ...cluster, rcode: 'NXDOMAIN', answers: [], authority: [soa(lab)] }
  if (found.kind === 'exists' || query.question.type !== 'A')
    return { ...cluster, rcode: 'NOERROR', answers: [], authority: [soa(lab)] }
  return {
    ...cluster,
    rcode: 'NOERROR',
    answers: found.addresses.map((address) => ({ name: query.question.name, ttl: TTL, type: 'A', address })),
    authority: []
  }
}
