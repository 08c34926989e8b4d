import type { LabShell } from '../core/shell/lab-shell.ts'
import type { Topology } from './topology.ts'

export interface InspectSection {
  /** The command that shows this state, so "show in terminal" can run exactly it. */
  on: string
  command: string
  output: string
}

/**
 * Which read-only commands show an object's live state — the same commands a learner would type,
 * so the inspector teaches where the information lives on a real machine.
 */
export function inspectCommands(
  topology: Topology,
  objectId: string
): { on: string; command: string }[] | null {
  const service = topology.services.find((s) => s.id === objectId)
  if (service) {
    const node = topology.nodes[0]?.name
    if (!node) return []
    return [
      { on: node, command: `iptables-save -c -t nat | grep -e '${service.clusterIP}' -e 'KUBE-SEP'` },
      { on: node, command: `kubectl get endpointslices -l kubernetes.io/service-name=${service.name}` }
    ]
  }
  const [host, device] = objectId.split('/') as [string, string | undefined]
  const node = topology.nodes.find((n) => n.name === host)
  const pod = topology.nodes.flatMap((n) => n.pods).find((p) => p.name === host)
  const external = topology.externalHosts.find((h) => h.name === host)
  if (!node && !pod && !external) return null
  if (device === undefined) {
    const commands = [
      { on: host, command: 'ip -br addr' },
      { on: host, command: 'ip route' },
      { on: host, command: 'ip neigh' }
    ]
    if (node)
      commands.push(
        { on: host, command: 'iptables-save -c -t nat' },
        { on: host, command: 'iptables-save -c -t filter' }
      )
    return commands
  }
  const devices = node?.devices ?? pod?.devices ?? external?.devices ?? []
  const found = devices.find((d) => d.name === device)
  if (!found) return null
  const commands = [
    { on: host, command: `ip -d link show dev ${device}` },
    { on: host, command: `ip addr show dev ${device}` }
  ]
  if (found.kind === 'bridge')
    commands.push({ on: host, command: `bridge fdb show br ${device}` }, { on: host, command: 'bridge link' })
  if (found.kind === 'vxlan')
    commands.push(
      { on: host, command: `bridge fdb show dev ${device}` },
      { on: host, command: `ip neigh show dev ${device}` }
    )
  return commands
}

export function inspect(shell: LabShell, topology: Topology, objectId: string): InspectSection[] | null {
  const commands = inspectCommands(topology, objectId)
  if (!commands) return null
  return commands.map(({ on, command }) => {
    const result = shell.run(on, command)
    return { on, command, output: result ? result.stdout + result.stderr : '' }
  })
}
