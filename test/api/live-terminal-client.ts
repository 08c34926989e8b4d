import type { WebHost } from '../../src-main/platform/web/server.ts'
import { rawPost } from './api-call.ts'
import { walkLessonTo } from './lesson-walk.ts'
import { openStreamSocket, type StreamClient } from './stream-socket-client.ts'

/** What a `lab:terminal` stream sends. */
export type TerminalEvent =
  | { kind: 'opened'; terminalId: string }
  | { kind: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'ended'; exitCode: number }

/** A lesson's lab or a free-play world, as the terminal calls name it. */
export type LabRef = { kind: 'sandbox'; sandboxId: string } | { kind: 'lesson'; lessonId: string }

/** Calls a method over the web host's HTTP and returns its value; a refusal throws with its message. */
export async function post<T>(host: WebHost, method: string, body: unknown): Promise<T> {
  const answer = await rawPost(host, method, body)
  const envelope = JSON.parse(answer.body) as { ok: boolean; value?: T; error?: { message: string } }
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error?.message ?? answer.body}`)
  return envelope.value as T
}

export const terminalEvents = (page: StreamClient, id: string): TerminalEvent[] =>
  page.events(id) as TerminalEvent[]

/** Everything a terminal printed between lines so far. */
export const printed = (page: StreamClient, id: string): string =>
  terminalEvents(page, id)
    .map((e) => (e.kind === 'output' ? e.text : ''))
    .join('')

/** Opens a live terminal on `on` as subscription `id` of the page's socket; resolves with its id. */
export async function openTerminal(
  page: StreamClient,
  id: string,
  input: { learnerId: string; lab: LabRef; on: string }
): Promise<string> {
  page.subscribe(id, 'lab:terminal', input)
  const opened = await page.next((x) => x.id === id && 'event' in x, `${id} opened`)
  return (opened as { event: { terminalId: string } }).event.terminalId
}

/** Resolves once the terminal's waiting line ended. */
export function lineEnded(page: StreamClient, id: string): Promise<unknown> {
  return page.next((x) => x.id === id && 'event' in x && (x.event as TerminalEvent).kind === 'ended')
}

/**
 * A new learner at `stepId` of a lesson, walked there from its keys, with a page socket open for
 * the lesson's live terminals.
 */
export async function learnerAtStep(
  host: WebHost,
  lessonId: string,
  stepId: string
): Promise<{ learnerId: string; lab: { kind: 'lesson'; lessonId: string }; page: StreamClient }> {
  const { id: learnerId } = await post<{ id: string }>(host, 'profiles:create', { name: 'Ada' })
  await walkLessonTo((method, input) => post(host, method, input), learnerId, lessonId, stepId)
  const page = openStreamSocket(host.origin, host.token)
  await page.opened
  return { learnerId, lab: { kind: 'lesson', lessonId }, page }
}

/** A new learner in a free-play world made from the tour's lab, with a page socket open for its live terminals. */
export async function tourWorld(
  host: WebHost
): Promise<{ learnerId: string; lab: { kind: 'sandbox'; sandboxId: string }; page: StreamClient }> {
  const { id: learnerId } = await post<{ id: string }>(host, 'profiles:create', { name: 'Ada' })
  const { sandboxId } = await post<{ sandboxId: string }>(host, 'sandbox:open', {
    learnerId,
    source: { kind: 'lesson', lessonId: 'tour' }
  })
  const page = openStreamSocket(host.origin, host.token)
  await page.opened
  return { learnerId, lab: { kind: 'sandbox', sandboxId }, page }
}
