/**
 * The request curl 7.88 writes for `http://HOST[:PORT]PATH`: what `curl` sends and what a traced
 * TCP connection carries, so the stepper shows the bytes a learner's curl would.
 */
export function curlRequest(host: string, port: number, path = '/', method: 'GET' | 'HEAD' = 'GET'): string {
  const hostHeader = port === 80 ? host : `${host}:${port}`
  return [`${method} ${path} HTTP/1.1`, `Host: ${hostHeader}`, 'User-Agent: curl/7.88.1', 'Accept: */*', '']
    .map((line) => `${line}\r\n`)
    .join('')
}
