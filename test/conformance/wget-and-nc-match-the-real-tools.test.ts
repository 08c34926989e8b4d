import { readFileSync } from 'node:fs'
import { defineLabComparison } from './conformance.ts'
import type { Step } from './steps.ts'

/**
 * The probes the Kubernetes "Debug Services" guide types: GNU Wget and netcat-openbsd in the
 * lab's Debian image, BusyBox wget in a busybox pod (the real side runs the host's
 * `busybox wget`). Fetches to a file, to stdout, with headers, a spider check, a refusal, an ARP
 * failure across the tunnel, a SYN a rule on node-2 drops (timeouts and retries), port scans
 * with ranges, a UDP scan of a closed port, a request piped into nc, and the segments of a
 * scan as the server's eth0 sees them. BusyBox nc is not compared: Debian's busybox is built
 * without its -z and -v.
 */
const yaml = readFileSync('test/fixtures/scenarios/two-node-vxlan.yaml', 'utf8').replace(
  'services:\n',
  [
    '  - name: box',
    '    node: node-2',
    '    labels: { app: box }',
    '    containers: [{ name: shell, image: busybox, app: sleep }]',
    'services:',
    ''
  ].join('\n')
)

const WEB_1 = 'http://10.244.1.3:8080/'
const DROPPED = '10.244.2.2 9999'

/** A line that saves files runs, on the real side, in a directory of its own that goes afterwards. */
const inScratch = (line: string): string =>
  `d=$(mktemp -d) && cd "$d" && { ${line}; }; s=$?; cd /; rm -rf "$d"; exit $s`

const cmd = (on: string, run: string, realRun?: string): Step => ({
  kind: 'cmd',
  on,
  run,
  slug: run.replace(/\W+/g, '-'),
  ...(realRun === undefined ? {} : { realRun })
})
const busybox = (run: string, saves = false): Step => {
  const real = run.replace(/\bwget\b/g, 'busybox wget')
  return cmd('box', run, saves ? inScratch(real) : real)
}

const steps: Step[] = [
  cmd('client', `wget -qO- ${WEB_1}`),
  cmd('client', `wget -O- ${WEB_1}`),
  cmd('client', `wget --output-doc=- --qui ${WEB_1} ; wget --output-document ; echo rc=$?`),
  cmd(
    'client',
    `wget ${WEB_1} && wget -q ${WEB_1}x/y.txt && wget 10.244.1.3:8080 && cat index.html.1 y.txt`,
    inScratch(`wget ${WEB_1} && wget -q ${WEB_1}x/y.txt && wget 10.244.1.3:8080 && cat index.html.1 y.txt`)
  ),
  cmd('client', `wget -S --spider ${WEB_1}`),
  cmd('client', 'wget http://10.244.1.3:8081/'),
  cmd('client', 'wget -qO- http://10.244.1.3:8081/ ; echo rc=$?'),
  cmd('client', 'wget http://10.244.2.99:8080/'),
  busybox('wget http://10.244.2.99:8080/'),
  cmd('node-2', `iptables -I FORWARD -d ${DROPPED.replace(' ', ' -p tcp --dport ')} -j DROP`),
  cmd('client', 'wget -T 1 -t 2 http://10.244.2.2:9999/'),
  cmd('client', `nc -zv -w 1 ${DROPPED}`),
  cmd('node-2', `iptables -D FORWARD -d ${DROPPED.replace(' ', ' -p tcp --dport ')} -j DROP`),
  cmd('client', 'nc -zv 10.244.1.3 8080'),
  cmd('client', 'nc -z 10.244.1.3 8080'),
  cmd('client', 'nc -zv 10.244.1.3 8079-8081'),
  cmd('client', 'nc -zv 10.244.1.3 81'),
  cmd('client', 'nc -zv 10.244.2.99 8080'),
  cmd('client', 'nc -zvu 10.244.1.3 5353'),
  cmd('client', "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 10.244.1.3 8080"),
  cmd('node-1', 'nc -zv 10.244.2.2 8080 9999 80'),
  busybox(`wget -qO- ${WEB_1}`),
  busybox(`wget -O- ${WEB_1}`),
  busybox(`wget ${WEB_1} ; wget ${WEB_1} ; cat index.html`, true),
  busybox(`wget -S --spider ${WEB_1}`),
  busybox('wget http://10.244.1.3:8081/'),
  {
    kind: 'capture',
    on: 'web-1',
    run: 'tcpdump -nn -i eth0 -c 6 tcp',
    slug: 'web-1-capture-of-nc-z',
    traffic: { on: 'client', run: 'nc -z 10.244.1.3 8080' }
  }
]

defineLabComparison({
  title: 'wget and nc',
  yaml,
  prefix: 'pnl-wnc',
  steps,
  underlay: (on) => on.startsWith('node-')
})
