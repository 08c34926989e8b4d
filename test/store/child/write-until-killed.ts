/**
 * Child process for the kill test: opens the store and writes forever, printing `event <id>` or
 * `attempt <id>` only after the write call has returned. The parent SIGKILLs it at a random moment
 * and then checks that every printed id is in the file.
 */
import { writeSync } from 'node:fs'
import { openProgressStore } from '../../../src-main/store/index.ts'

const file = process.argv[2]
if (!file) throw new Error('usage: write-until-killed.ts FILE')

/** Blocking write of a whole line; stdout may be a non-blocking pipe, so EAGAIN means "try again". */
function say(line: string): void {
  const bytes = Buffer.from(`${line}\n`)
  let done = 0
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
    }
  }
}

const { store } = openProgressStore(file, { now: Date.now })
const learner = store.profiles.list()[0] ?? store.profiles.create('Kill test')
say('ready')
for (let i = 0; ; i++) {
  if (i % 4 === 3) {
    // A multi-row write: the attempt and its review-queue entry commit together or not at all.
    const attempt = store.attempts.record({
      learnerId: learner.id,
      lessonId: 'kill',
      stepId: 'quiz',
      questionId: `q-${process.pid}-${i}`,
      kind: 'quiz',
      answer: { i },
      correct: false,
      score: 0,
      hintsUsed: 0,
      durationMs: 1
    })
    say(`attempt ${attempt.id}`)
  } else {
    const event = store.events.append({
      learnerId: learner.id,
      lessonId: 'kill',
      stepId: `step-${i % 7}`,
      kind: 'step.entered',
      data: { i, pad: 'x'.repeat(i % 500) }
    })
    say(`event ${event.id}`)
  }
}
