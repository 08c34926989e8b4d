import { readdirSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { lessonFilesFromDir as fsLessonFiles } from '../../src-main/api/lesson-files.ts'
import { checkCourse } from '../../src-main/core/lesson/check-course.ts'
import { loadCourse } from '../../src-main/core/lesson/course-loader.ts'
import { formatIssue } from '../../src-main/core/lesson/issues.ts'
import { openLessonLab } from '../../src-main/core/lesson/lab-adapter.ts'

const ROOT = new URL('../fixtures/lessons-bad/', import.meta.url).pathname
const L = '01-mini/lesson.yaml'

/**
 * Each fixture is the same valid one-lesson course with exactly one thing wrong, so each must
 * produce exactly its one message. The last group is found only by running the lesson in the
 * simulator; the others already by the loader, so the app lists those lessons as unavailable.
 */
const LOADER_CASES: Record<string, string> = {
  'missing-field': `${L}: topics: missing required field`,
  'wrong-type': `${L}: estimatedMinutes: Invalid input: expected number, received string`,
  'unknown-step-kind': `${L}: steps[0].kind: unknown kind; expected one of read, task, predict, trace, quiz, checkpoint, review`,
  'unknown-field': `${L}: steps[0]: unknown field "timeout"`,
  'bad-step-id': `${L}: steps[0].id: expected a kebab-case id such as ping-other-node`,
  'duplicate-step-id': `${L}: steps[5].id: duplicate step id "quiz"`,
  'duplicate-question-id': `${L}: steps[3].questions[1].id: duplicate question id "vni"`,
  'missing-locale-string': `${L}: title.zh-CN: missing required field`,
  'empty-locale-string': `${L}: summary.zh-CN: must not be empty`,
  'yaml-syntax-error': `${L}: line 8, column 1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
  'missing-locale-file': '01-mini/mini.zh-CN.md: file not found (every lesson needs prose in en and zh-CN)',
  'missing-section': '01-mini/mini.en.md: ## quiz: missing section for this step',
  'extra-section': '01-mini/mini.zh-CN.md: ## bonus: no step has this id',
  'empty-section': '01-mini/mini.en.md: ## walk: section is empty',
  'duplicate-section': '01-mini/mini.en.md: line 23: duplicate section "## intro"',
  'predicate-unknown-pod': `${L}: steps[4].goal.pod: no pod "web-9" in the scenario`,
  'predicate-netns-on-unknown-node': `${L}: steps[4].goal.link: no node "node-9" in the scenario to hold namespace "pod-a"`,
  'predicate-unknown-node': `${L}: steps[4].goal.link: no node, pod or external host "node-9" in the scenario`,
  'predicate-unknown-service': `${L}: steps[4].goal.service: no Service "web" in the scenario`,
  'predicate-unknown-sysctl': `${L}: steps[4].goal.key: the simulator has no sysctl "net.ipv4.tcp_nope" (it knows net.ipv4.ip_forward, net.ipv4.ip_forward_update_priority, net.ipv4.ip_forward_use_pmtu, net.ipv4.tcp_syn_retries, net.ipv4.icmp_msgs_burst, net.ipv4.icmp_msgs_per_sec, net.ipv4.icmp_ratelimit, net.ipv4.icmp_ratemask, net.bridge.bridge-nf-call-iptables, net.netfilter.nf_conntrack_max, net.netfilter.nf_conntrack_tcp_timeout_established, net.netfilter.nf_conntrack_tcp_timeout_time_wait, net.netfilter.nf_conntrack_udp_timeout, net.netfilter.nf_conntrack_udp_timeout_stream, net.netfilter.nf_conntrack_icmp_timeout, net.ipv4.conf.{all,default,IFACE}.{accept_local,accept_redirects,accept_source_route,arp_accept,arp_announce,arp_evict_nocarrier,arp_filter,arp_ignore,arp_notify,bc_forwarding,bootp_relay,disable_policy,disable_xfrm,drop_gratuitous_arp,drop_unicast_in_l2_multicast,force_igmp_version,forwarding,igmpv2_unsolicited_report_interval,igmpv3_unsolicited_report_interval,ignore_routes_with_linkdown,log_martians,mc_forwarding,medium_id,promote_secondaries,proxy_arp,proxy_arp_pvlan,route_localnet,rp_filter,secure_redirects,send_redirects,shared_media,src_valid_mark,tag})`,
  'unknown-container': `${L}: steps[4].goal.on: pod "client" has no container "nope"`,
  'unknown-predicate-kind': `${L}: steps[4].goal.kind: unknown kind; expected one of all, any, not, command-ran, trace, link-state, pod-exists, fdb-entry, link, neighbour, route, sysctl, iptables-rule, endpoints`,
  'invalid-regex': `${L}: steps[4].goal.output: not a valid regular expression`,
  'quiz-no-correct-answer': `${L}: steps[3].questions[0].options: a single-choice question needs exactly one correct option, found 0`,
  'quiz-two-correct-answers': `${L}: steps[3].questions[0].options: a single-choice question needs exactly one correct option, found 2`,
  'multiple-without-correct': `${L}: steps[3].questions[0].options: a multiple-choice question needs at least one correct option`,
  'duplicate-option-id': `${L}: steps[3].questions[0].options[1].id: duplicate id "cni0"`,
  'model-answer-not-accepted': `${L}: steps[3].questions[1].modelAnswer: "4789" matches none of the accepted patterns`,
  'numeric-feedback-within-tolerance': `${L}: steps[2].questions[0].question.feedback[0].value: 2 is within the tolerance of the answer, so this feedback would never show`,
  'prediction-answer-not-an-option': `${L}: steps[1].prediction.answer: "link-down" is not one of the options`,
  'unknown-prediction-kind': `${L}: steps[1].prediction.what: unknown what; expected one of verdict, drop-stage, arriving-ttl, next-device, address-owner, kube-sep`,
  'justification-two-correct': `${L}: steps[1].justification.options: a justification needs exactly one correct option, found 2`,
  'hotspot-unknown-node': `${L}: steps[3].questions[1].answer[0]: no node, pod or external host "node-3" in the scenario`,
  'tcp-trace-without-port': `${L}: steps[1].trace.port: a tcp trace needs a port`,
  'trace-from-unknown-pod': `${L}: steps[2].trace.from: no node, pod or external host "client-9" in the scenario`,
  'prose-command-unknown-target':
    '01-mini/mini.en.md: ## intro: `node-9$ ip route`: no node, pod or external host "node-9" in the scenario',
  'command-tool-not-on-its-target': `${L}: steps[4].hints[0].en: \`client$ bridge link\`: client has no bridge (it runs on nodes and external hosts only)`,
  'missing-scenario-file': '01-mini/scenario.yaml: file not found',
  'invalid-scenario': '01-mini/scenario.yaml: pods[2].node: no node named "node-3"',
  'id-does-not-match-folder': `${L}: id: id "maxi" does not match its folder 01-mini (expected "mini")`,
  'lesson-listed-twice': 'index.yaml: lessons[1]: "01-mini" is listed twice',
  'topic-without-name': 'index.yaml: topics: no name for the topic "test" that 01-mini/lesson.yaml uses',
  'lesson-folder-missing': '02-gone: lesson folder not found',
  'missing-index': 'index.yaml: file not found'
}

const CHECKER_CASES: Record<string, string> = {
  'prediction-contradicted': `${L}: steps[1].prediction.answer: the simulator says "62", not "63"`,
  'address-owner-contradicted': `${L}: steps[1].prediction.answer: the simulator says "node-1/flannel.1", not "node-1/cni0"`,
  'task-already-solved': `${L}: steps[4].goal: already holds before the solution runs`,
  'solution-does-not-solve': `${L}: steps[4].goal: still fails after the solution (failing: goal)`,
  'pinned-hop-not-on-path': `${L}: steps[2].questions[0].hop: the trace never passes node-2/eth1 (it visits client/eth0, node-1/vethe1b6adf3, node-1/cni0, node-1/flannel.1, node-1/eth0, node-2/eth0, node-2/flannel.1, node-2/cni0, node-2/veth8b879e10, web-2/eth0)`,
  'stray-file': '01-mini/notes.txt: stray file: lesson.yaml does not use it'
}

const check = (name: string): string[] =>
  checkCourse(fsLessonFiles(`${ROOT}${name}`), {
    openLab: openLessonLab,
    now: () => performance.now()
  }).issues.map(formatIssue)

const loaderIssues = (name: string): string[] => {
  const course = loadCourse(fsLessonFiles(`${ROOT}${name}`))
  return [
    ...course.issues,
    ...course.lessons.flatMap((e) => (e.status === 'unavailable' ? e.issues : []))
  ].map(formatIssue)
}

describe('malformed lessons', () => {
  it('every fixture folder has its expected message here, and there are at least 30', () => {
    const folders = readdirSync(ROOT).sort()
    expect(folders).toEqual(Object.keys({ ...LOADER_CASES, ...CHECKER_CASES }).sort())
    expect(folders.length).toBeGreaterThanOrEqual(30)
  })

  describe.each(Object.entries(LOADER_CASES))('%s', (name, message) => {
    it('the loader reports exactly this message', () => {
      expect(loaderIssues(name)).toEqual([message])
    })
    it('podnet lessons check reports exactly this message', () => {
      expect(check(name)).toEqual([message])
    })
  })

  describe.each(Object.entries(CHECKER_CASES))('%s', (name, message) => {
    it('the loader accepts it', () => {
      expect(loaderIssues(name)).toEqual([])
    })
    it('running it in the simulator reports exactly this message', () => {
      expect(check(name)).toEqual([message])
    })
  })

  it('a broken lesson does not break the course: the others stay available', () => {
    const course = loadCourse(fsLessonFiles(`${ROOT}lesson-folder-missing`))
    expect(course.lessons.map((e) => [e.dir, e.status])).toEqual([
      ['01-mini', 'available'],
      ['02-gone', 'unavailable']
    ])
  })

  it('an unavailable lesson still shows its id and title when lesson.yaml names them', () => {
    const entry = loadCourse(fsLessonFiles(`${ROOT}quiz-no-correct-answer`)).lessons[0]
    expect(entry).toMatchObject({ status: 'unavailable', id: 'mini', title: { en: 'Mini', 'zh-CN': '迷你' } })
    const broken = loadCourse(fsLessonFiles(`${ROOT}missing-field`)).lessons[0]
    expect(broken).toMatchObject({ status: 'unavailable', id: 'mini', title: { en: 'Mini' } })
  })
})
