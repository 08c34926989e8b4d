// Preloaded into Electron's installer by ensure-electron.mjs. The installer reports a failed
// download as a bare "TypeError: fetch failed": the address it tried and the network error behind
// it (refused, no such host, timed out) are lost. This notes both, one marker line per event.
const marker = 'podnet-electron-download '
const fetchOriginal = globalThis.fetch

function report(event) {
  process.stderr.write(`${marker}${JSON.stringify(event)}\n`)
}

/**
 * The innermost reason: undici wraps the socket's or the proxy's error (`connect ECONNREFUSED …`,
 * `Proxy response (403) !== 200 …`) in one or two `cause`s under "fetch failed".
 */
function reasonOf(error) {
  let reason = error instanceof Error ? error.message : String(error)
  for (let cause = error?.cause; cause !== undefined && cause !== null; cause = cause.cause) {
    if (cause instanceof AggregateError && cause.errors.length > 0)
      return cause.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')
    if (typeof cause.message === 'string' && cause.message !== '') reason = cause.message
    else if (typeof cause.code === 'string') reason = cause.code
  }
  return reason
}

globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  report({ url })
  try {
    const response = await fetchOriginal(input, init)
    if (!response.ok) report({ url, error: `HTTP ${response.status} ${response.statusText}`.trim() })
    return response
  } catch (error) {
    report({ url, error: reasonOf(error) })
    throw error
  }
}
