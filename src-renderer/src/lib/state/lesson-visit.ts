/** The part of the Web Storage API a visit is kept in. */
export type VisitStorage = Pick<Storage, 'getItem' | 'setItem'>

/**
 * When the learner's current visit to a lesson began. A visit lasts as long as the browser tab
 * (the app's window in the desktop app): it is kept in that tab's sessionStorage, so a reload
 * carries on with it, while a new tab or a restarted app begins a new one. `storage` may throw
 * (storage disabled); the visit then starts now.
 */
export function visitStartedAt(
  storage: () => VisitStorage,
  learnerId: string,
  lessonId: string,
  now: number
): number {
  const key = `podnet:${learnerId}:visit:${lessonId}`
  try {
    const store = storage()
    const saved = Number(store.getItem(key))
    if (Number.isFinite(saved) && saved > 0 && saved <= now) return saved
    store.setItem(key, String(now))
  } catch {
    // Without storage the visit cannot outlive the page: it starts now.
  }
  return now
}

/** Whole minutes from `start` to `now`, at least 1: a visit that finished a lesson took some time. */
export function visitMinutes(start: number, now: number): number {
  return Math.max(1, Math.round((now - start) / 60_000))
}
