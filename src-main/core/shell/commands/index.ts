/**
 * Every command the lab's shells know. Sim core's state commands and the shell helper's
 * traffic, Kubernetes and text commands are listed here; `help` and completion read the same
 * registry.
 */

import { sendProbe } from '../../engine/probe.ts'
import { CommandRegistry } from '../command.ts'
import { bridgeCommand } from './bridge.ts'
import { conntrackCommand } from './conntrack.ts'
import { ipCommand } from './ip.ts'
import { iptablesCommand, iptablesSaveCommand } from './iptables.ts'
import { ipsetCommand } from './ipset.ts'
import { ipvsadmCommand } from './ipvsadm.ts'
import { nftCommand } from './nft.ts'
import { sysctlCommand } from './sysctl.ts'
import { envCommand, printenvCommand } from './env.ts'
import {
  catCommand,
  clearCommand,
  headCommand,
  seqCommand,
  sortCommand,
  tailCommand,
  uniqCommand,
  wcCommand
} from './coreutils.ts'
import { grepCommand } from './grep.ts'
import { curlCommand } from './curl.ts'
import { ncCommand } from './nc.ts'
import { wgetCommand } from './wget.ts'
import { digCommand, getentCommand, hostCommand, nslookupCommand } from './dns-tools.ts'
import { dmesgCommand } from './dmesg.ts'
import { crictlCommand, kubectlCommand } from './kubectl.ts'
import { modprobeCommand } from './modprobe.ts'
import { pingCommand } from './ping.ts'
import { tcpdumpCommand } from './tcpdump.ts'
import { tracerouteCommand } from './traceroute.ts'
import { bashCommand, helpCommand, hostnameCommand, psCommand, shCommand, ssCommand } from './system.ts'
import { sleepCommand } from './sleep.ts'
import { printfCommand, sedCommand } from './text-edit.ts'

export function defaultRegistry(): CommandRegistry {
  const registry: CommandRegistry = new CommandRegistry([
    bridgeCommand,
    catCommand,
    clearCommand,
    conntrackCommand,
    crictlCommand,
    curlCommand(sendProbe),
    digCommand(sendProbe),
    getentCommand(sendProbe),
    dmesgCommand,
    envCommand,
    grepCommand,
    headCommand,
    helpCommand(() => registry),
    hostCommand(sendProbe),
    hostnameCommand,
    ipCommand,
    iptablesCommand,
    iptablesSaveCommand,
    ipsetCommand,
    ipvsadmCommand,
    kubectlCommand,
    modprobeCommand,
    ncCommand(sendProbe),
    nftCommand,
    nslookupCommand(sendProbe),
    pingCommand(sendProbe),
    printenvCommand,
    printfCommand,
    psCommand,
    sedCommand,
    seqCommand,
    shCommand,
    bashCommand,
    sleepCommand,
    sortCommand,
    sysctlCommand,
    ssCommand,
    tailCommand,
    tcpdumpCommand,
    tracerouteCommand(sendProbe),
    uniqCommand,
    wcCommand,
    wgetCommand(sendProbe)
  ])
  return registry
}
