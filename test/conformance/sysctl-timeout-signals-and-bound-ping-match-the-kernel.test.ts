import { compareWithRealLab, withPingTimesMasked } from './conformance.ts'

/**
 * sysctl's quiet, names, values and ignore options with their errors; `timeout -s` with the many
 * ways coreutils names a signal, the statuses and the shell's `Killed`; ping bound to a device
 * or an address (-I), and ending before or at the errors an unowned on-link address draws
 * late; `ip rule` taking prefixes of its keywords. Each line runs on the simulator
 * and on real namespaces built from it.
 */

const PREFIX = 'pnl-tl'

const COMPARED: { on: string; run: string }[] = [
  { on: 'node-1', run: 'sysctl -q -w net.ipv4.conf.lo.forwarding=1; sysctl -q net.ipv4.conf.lo.forwarding' },
  {
    on: 'node-1',
    run: 'sysctl -n -w net.ipv4.conf.lo.forwarding=0; sysctl -N -w net.ipv4.conf.lo.forwarding=0'
  },
  { on: 'node-1', run: 'sysctl -nN net.ipv4.conf.lo.forwarding; sysctl -b net.ipv4.conf.lo.forwarding' },
  { on: 'node-1', run: 'sysctl -q net.ipv4.nope; echo status $?' },
  { on: 'node-1', run: 'sysctl -e -n net.nope net.ipv4.conf.lo.forwarding; echo status $?' },
  { on: 'node-1', run: 'sysctl -e -w net.ipv4.nope=1; echo status $?' },
  { on: 'node-1', run: 'sysctl net.ipv4.ip_forward.x; sysctl -e net.ipv4.ip_forward.x; echo status $?' },
  { on: 'node-1', run: 'sysctl -N -q net.ipv4.ip_forward' },
  { on: 'node-1', run: 'sysctl -w net.ipv4.conf.lo=1; echo status $?' },
  { on: 'node-1', run: 'sysctl -x; sysctl -w =1' },
  { on: 'node-1', run: 'sysctl -q -w net.ipv4.conf.lo.forwarding=abc; echo status $?' },
  { on: 'node-1', run: 'timeout -s KILL 0.5 sleep 2; echo status $?' },
  { on: 'node-1', run: 'timeout -s 9 0.5 sleep 2; echo status $?' },
  { on: 'node-1', run: 'timeout --preserve-status -s QUIT 0.5 sleep 2; echo status $?' },
  { on: 'node-1', run: 'timeout -s SIGUSR1 0.5 sleep 2; echo status $?' },
  { on: 'node-1', run: 'timeout --preserve-status -s usr2 0.5 sleep 2; echo status $?' },
  { on: 'node-1', run: 'timeout --preserve-status -s RTMIN+2 0.5 sleep 2; echo status $?' },
  { on: 'node-1', run: 'timeout -v -s 50 0.5 sleep 2; echo status $?' },
  { on: 'node-1', run: 'timeout -s 33 0.5 sleep 2; timeout -s RTMIN+31 0.5 sleep 2; echo status $?' },
  { on: 'node-1', run: 'timeout --preserve-status -s WINCH 0.5 sleep 1; echo status $?' },
  { on: 'node-1', run: 'timeout -k 1 -s WINCH 0.5 sleep 3; echo status $?' },
  { on: 'client', run: 'timeout -s ALRM 1.5 ping 10.244.2.2' },
  { on: 'node-1', run: 'ping -c 1 -I eth0 192.168.56.12' },
  { on: 'node-1', run: 'ping -c 1 -I 192.168.56.11 192.168.56.12' },
  { on: 'node-1', run: 'ping -c 1 -I nope 192.168.56.12' },
  { on: 'node-1', run: 'ping -c 1 -I 10.9.9.9 192.168.56.12' },
  { on: 'node-1', run: 'ping -c 1 -W 1 -I lo 192.168.56.12' },
  { on: 'client', run: 'ping -c 1 -I eth0 10.244.2.2' },
  { on: 'client', run: 'ping -c 1 -W 1 -I lo 10.244.2.2' },
  { on: 'client', run: 'ping -w 2 10.244.2.2' },
  { on: 'client', run: 'ping -w 2 -i 0.5 10.244.1.3' },
  { on: 'client', run: 'ping -c 1 -W 1 10.244.1.99; echo status $?; ip neigh show 10.244.1.99' },
  { on: 'client', run: 'ping -c 1 -w 2 10.244.1.98; echo status $?' },
  { on: 'client', run: 'ping -w 5 -i 0.7 10.244.1.97; echo status $?; ip neigh show 10.244.1.97' },
  {
    on: 'node-1',
    run: 'ip rule add fwmark 1 table 7 prio 60; ip rule add fwmark 2 tab 8 p 61; ip rule; ip rule del prio 60; ip rule del p 61'
  },
  {
    on: 'node-1',
    run:
      'ip rule add oif eth0 lookup 100; ip route add blackhole 192.168.56.12 table 100; ' +
      'ping -c 1 -I eth0 192.168.56.12; ip rule del oif eth0 lookup 100; ip route flush table 100'
  }
]

compareWithRealLab(
  'sysctl options, timeout signals and bound ping',
  'two-node-vxlan',
  PREFIX,
  COMPARED,
  withPingTimesMasked,
  30_000
)
