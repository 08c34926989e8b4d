import { describe, expect, it } from 'vitest'
import { labShell, run } from './shell-fixture.ts'

const names = (stdout: string): string[] =>
  stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0] ?? '')

describe('kubectl get -l: every selector form selects what the apiserver selects', () => {
  const s = labShell()
  it.each([
    ['app=web', ['web-1', 'web-2', 'web-3']],
    ['app==web', ['web-1', 'web-2', 'web-3']],
    ['app!=web', ['client']],
    ["'app in (web,client)'", ['client', 'web-1', 'web-2', 'web-3']],
    ["'app in (web, client)'", ['client', 'web-1', 'web-2', 'web-3']],
    ["'app notin (web)'", ['client']],
    ["'app notin (in,notin)'", ['client', 'web-1', 'web-2', 'web-3']],
    ['app', ['client', 'web-1', 'web-2', 'web-3']],
    ["'!tier'", ['client', 'web-1', 'web-2', 'web-3']],
    ['app=web,app!=client', ['web-1', 'web-2', 'web-3']],
    ["'app,app notin (client)'", ['web-1', 'web-2', 'web-3']]
  ])('-l %s', (selector, expected) => {
    const r = run(s, 'node-1', `kubectl get pods -l ${selector}`)
    expect(r.exitCode).toBe(0)
    expect(names(r.stdout)).toEqual(expected)
  })

  it('says no resources were found when nothing matches, on stderr with status 0', () => {
    expect(run(s, 'node-1', "kubectl get pods -l '!app'")).toEqual({
      stdout: '',
      stderr: 'No resources found in default namespace.\n',
      exitCode: 0
    })
  })

  it('selects endpoint slices by the service-name label the controller sets', () => {
    const r = run(s, 'node-1', 'kubectl get endpointslices -l kubernetes.io/service-name=web -o name')
    expect(r.stdout).toMatch(/^endpointslice\.discovery\.k8s\.io\/web-[a-z0-9]{5}\n$/)
  })

  it.each([
    ["'a b'", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ["'app=we b'", "found 'b', expected: ',' or 'end of string'"],
    ["'app in web'", "unable to parse requirement: found 'web' expected: '('"],
    ["'app,'", "found '', expected: identifier after ','"],
    ["'app in (web'", "unable to parse requirement: found '', expected: ',' or ')'"],
    [
      'app:web',
      "unable to parse requirement: <nil>: Invalid value: \"app:web\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    ],
    [
      "'app=-web'",
      "unable to parse requirement: values[0][app]: Invalid value: \"-web\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    ]
  ])('refuses -l %s with the parser text', (selector, message) => {
    expect(run(s, 'node-1', `kubectl get pods -l ${selector}`)).toEqual({
      stdout: '',
      stderr: `Error from server (BadRequest): ${message}\n`,
      exitCode: 1
    })
  })

  it('refuses a name together with a selector', () => {
    expect(run(s, 'node-1', 'kubectl get pods web-1 -l app=web').stderr).toBe(
      'error: name cannot be provided when a selector is specified\n'
    )
  })
})
