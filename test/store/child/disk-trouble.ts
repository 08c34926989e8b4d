/**
 * Child process for the read-only and full-disk tests, run inside a private mount namespace that
 * the parent set up. Prints one JSON report on stdout; it must never crash, whatever the disk does.
 *
 *   read-only FILE — FILE's folder is a read-only bind mount holding a store saved beforehand.
 *   full FILE      — FILE (a copy of a saved store) sits on a tiny tmpfs; write until it is full.
 */
import { openProgressStore, StoreError, type ProgressStore } from '../../../src-main/store/index.ts'

const [mode, file] = process.argv.slice(2)
if ((mode !== 'read-only' && mode !== 'full') || !file)
  throw new Error('usage: disk-trouble.ts read-only|full FILE')

const errorOf = (error: unknown): { code: string; message: string } =>
  error instanceof StoreError
    ? { code: error.code, message: error.message }
    : { code: 'UNEXPECTED', message: String(error) }

function snapshotOf(store: ProgressStore): { learners: string[]; events: string[]; integrity: string[] } {
  const learners = store.profiles.list()
  return {
    learners: learners.map((l) => l.name),
    events: learners.flatMap((l) => store.events.list(l.id).map((e) => e.id)),
    integrity: store.integrityCheck()
  }
}

if (mode === 'read-only') {
  let openError: { code: string; message: string } | null = null
  try {
    openProgressStore(file, { now: Date.now }).store.close()
  } catch (error) {
    openError = errorOf(error)
  }
  // Still here and still working: the app can show the message and carry on.
  console.log(JSON.stringify({ openError, alive: true }))
} else {
  const { store } = openProgressStore(file, { now: Date.now })
  const before = snapshotOf(store)
  const learner = store.profiles.list()[0]!
  const acknowledged: string[] = []
  let writeError: { code: string; message: string } | null = null
  for (let i = 0; i < 100_000 && writeError === null; i++) {
    try {
      const event = store.events.append({
        learnerId: learner.id,
        lessonId: 'fill',
        stepId: 'fill',
        kind: 'pad',
        data: 'x'.repeat(4000)
      })
      acknowledged.push(event.id)
    } catch (error) {
      writeError = errorOf(error)
    }
  }
  let laterWrite: string
  try {
    store.settings.set('still-full', true)
    laterWrite = 'succeeded'
  } catch (error) {
    laterWrite = errorOf(error).code
  }
  const afterFailure = snapshotOf(store)
  store.close()
  const reopened = openProgressStore(file, { now: Date.now })
  const afterReopen = snapshotOf(reopened.store)
  reopened.store.close()
  console.log(
    JSON.stringify({
      before,
      acknowledged,
      writeError,
      laterWrite,
      afterFailure,
      afterReopen,
      recovered: reopened.recovered
    })
  )
}
