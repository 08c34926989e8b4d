import { createActor } from 'xstate'
import { type LessonFiles, type LoadedLesson, loadCourse } from './course-loader.ts'
import { estimateMinutes, type LessonMinutes } from './estimate.ts'
import type { LessonIssue } from './issues.ts'
import type { LabSession } from './lab-facts.ts'
import { createLessonMachine, type LessonEvent, type LessonSnapshot, questionsOf } from './lesson.machine.ts'
import type { Lesson, Predicate, SolutionStep, Step } from './lesson.schema.ts'
import { evaluateGoal, leavesSatisfiedByCommand, leavesSatisfiedByTrace } from './predicates.ts'
import { keyedPrediction, NO_VALUE, realityOf } from './prediction.ts'
import { correctAnswer } from './quiz.ts'

/**
 * `podnet lessons check`: everything the loader checks, then what only running the lesson can
 * prove — each task's goal fails before its solution, rejects the task's declared wrong attempt
 * and holds after the solution, each prediction's key is what the simulator does, each pinned hop
 * is on its trace, `completed` is reachable in the machine's graph, and an auto-solver finishes
 * the lesson with full marks.
 */

export interface CheckOptions {
  /** Builds the lesson's scenario into a fresh lab (lab-adapter.ts `openLessonLab`). */
  openLab: (lesson: LoadedLesson) => LabSession
  /** Milliseconds from any origin, for the summary's timing; the core has no clock of its own. */
  now: () => number
}

export interface LessonCheck {
  dir: string
  ok: boolean
  steps: number
  questions: number
  /** The time the course list shows for it, per locale; absent when the lesson did not load. */
  minutes?: LessonMinutes
  /** Time to build the lab, prove every step and auto-solve the lesson. */
  ms: number
}

export interface CourseCheck {
  ok: boolean
  issues: LessonIssue[]
  lessons: LessonCheck[]
}

export function checkCourse(files: LessonFiles, options: CheckOptions): CourseCheck {
  const course = loadCourse(files)
  const issues: LessonIssue[] = [...course.issues]
  const lessons: LessonCheck[] = []
  for (const entry of course.lessons) {
    const started = options.now()
    if (entry.status === 'unavailable') {
      issues.push(...entry.issues)
      lessons.push({ dir: entry.dir, ok: false, steps: 0, questions: 0, ms: 0 })
      continue
    }
    const found = [...checkStrayFiles(files, entry.lesson), ...proveLesson(entry.lesson, options)]
    issues.push(...found)
    const lesson = entry.lesson.lesson
    lessons.push({
      dir: entry.dir,
      ok: found.length === 0,
      steps: lesson.steps.length,
      questions: lesson.steps.reduce((n, step) => n + questionsOf(step).length, 0),
      minutes: estimateMinutes(lesson, entry.lesson.prose),
      ms: Math.round(options.now() - started)
    })
  }
  return { ok: issues.length === 0, issues, lessons }
}

/** `00-tour: 9 steps, 7 questions, 11 min en, 10 min zh-CN, solved in 41 ms`, or why it was not. */
export function summaryLine(check: LessonCheck): string {
  if (check.steps === 0) return `${check.dir}: invalid`
  const counts = `${check.steps} steps, ${check.questions} question${check.questions === 1 ? '' : 's'}`
  const minutes = Object.entries(check.minutes ?? {})
    .map(([locale, n]) => `, ${n} min ${locale}`)
    .join('')
  return check.ok
    ? `${check.dir}: ${counts}${minutes}, solved in ${check.ms} ms`
    : `${check.dir}: ${counts}, FAILED`
}

function checkStrayFiles(files: LessonFiles, loaded: LoadedLesson): LessonIssue[] {
  const lesson = loaded.lesson
  const known = new Set(['lesson.yaml', lesson.scenario, `${lesson.prose}.en.md`, `${lesson.prose}.zh-CN.md`])
  return (files.listDir(loaded.dir) ?? [])
    .filter((name) => !known.has(name))
    .map((name) => ({
      file: `${loaded.dir}/${name}`,
      path: '',
      reason: 'stray file: lesson.yaml does not use it'
    }))
}

/**
 * The events that solve each step, recorded while walking the lesson through a real lab. They
 * carry frozen lab facts, so replaying them later (graph search, auto-solve) sees the lab as it
 * was at that point of the walk.
 */
type SolveEvents = Map<string, LessonEvent[]>

function proveLesson(loaded: LoadedLesson, options: CheckOptions): LessonIssue[] {
  const file = `${loaded.dir}/lesson.yaml`
  const issues: LessonIssue[] = []
  let lab: LabSession
  try {
    lab = options.openLab(loaded)
  } catch (error) {
    return [
      {
        file: `${loaded.dir}/${loaded.lesson.scenario}`,
        path: '',
        reason: `the simulator cannot build it: ${(error as Error).message}`
      }
    ]
  }
  const solve: SolveEvents = new Map()
  /** Everything run in the lab so far, to bring a fresh lab to where the current step starts. */
  const done: SolutionStep[] = []
  loaded.lesson.steps.forEach((step, index) => {
    const at = `steps[${index}]`
    const events: LessonEvent[] = []
    switch (step.kind) {
      case 'task': {
        const before = evaluateGoal(step.goal, lab.facts(), [])
        if (before.pass)
          issues.push({ file, path: `${at}.goal`, reason: 'already holds before the solution runs' })
        else issues.push(...proveWrongAttemptRejected(file, at, step, () => replayed(loaded, options, done)))
        const solved = act(lab, step.goal, step.solution)
        for (const i of solved.waited)
          issues.push({
            file,
            path: `${at}.solution[${i}].run`,
            reason:
              "runs until Ctrl+C in the learner's terminal: stop it by itself (`tcpdump -c N`, `timeout N`) or start it with `&` before the line that makes the traffic"
          })
        events.push(...solved.events)
        done.push(...step.solution)
        const after = evaluateGoal(step.goal, lab.facts(), solved.satisfied)
        if (!after.pass) {
          issues.push({
            file,
            path: `${at}.goal`,
            reason: `still fails after the solution (failing: ${after.failing.join(', ')})`
          })
        }
        break
      }
      case 'predict': {
        const trace = lab.trace(step.trace)
        done.push({ trace: step.trace })
        const reality = realityOf(step.prediction, trace)
        if (String(reality) !== String(step.prediction.answer)) {
          const says =
            reality === NO_VALUE
              ? `has no ${step.prediction.what} for this trace (${trace.verdict})`
              : `says "${reality}"`
          issues.push({
            file,
            path: `${at}.prediction.answer`,
            reason: `the simulator ${says}, not "${step.prediction.answer}"`
          })
        }
        events.push(keyedPrediction(step), { type: 'sim.traceFinished', trace, facts: lab.facts() })
        break
      }
      case 'trace': {
        const trace = lab.trace(step.trace)
        done.push({ trace: step.trace })
        const devices = trace.hops.map((hop) => hop.device)
        step.questions.forEach((pinned, i) => {
          if (!devices.includes(pinned.hop)) {
            issues.push({
              file,
              path: `${at}.questions[${i}].hop`,
              reason: `the trace never passes ${pinned.hop} (it visits ${[...new Set(devices)].join(', ')})`
            })
          }
        })
        events.push({ type: 'sim.traceFinished', trace, facts: lab.facts() })
        for (const question of questionsOf(step))
          events.push({ type: 'user.answer', questionId: question.id, answer: correctAnswer(question) })
        break
      }
      case 'quiz':
        for (const question of questionsOf(step))
          events.push({ type: 'user.answer', questionId: question.id, answer: correctAnswer(question) })
        break
      case 'read':
      case 'checkpoint':
      case 'review':
        break
    }
    solve.set(step.id, events)
  })
  if (issues.length > 0) return issues
  return autoSolve(file, loaded, solve)
}

type Task = Extract<Step, { kind: 'task' }>

/**
 * Runs commands and traces in the lab: the goal's event leaves they satisfy, the events to replay,
 * and the lines that waited for Ctrl+C (by index), which a learner's terminal would hang on.
 */
function act(
  lab: LabSession,
  goal: Predicate,
  actions: readonly SolutionStep[]
): { satisfied: string[]; events: LessonEvent[]; waited: number[] } {
  const satisfied: string[] = []
  const events: LessonEvent[] = []
  const waited: number[] = []
  for (const [index, action] of actions.entries()) {
    if ('run' in action) {
      const { jobsEnded, interrupted, ...result } = lab.exec(action.on, action.run)
      if (interrupted) waited.push(index)
      // As the player hears them: the line when it ends, then each job that ended meanwhile.
      for (const command of [{ on: action.on, command: action.run, ...result }, ...jobsEnded]) {
        satisfied.push(...leavesSatisfiedByCommand(goal, command))
        events.push({ type: 'sim.commandRan', command, facts: lab.facts() })
      }
    } else {
      const trace = lab.trace(action.trace)
      satisfied.push(...leavesSatisfiedByTrace(goal, trace))
      events.push({ type: 'sim.traceFinished', trace, facts: lab.facts() })
    }
  }
  return { satisfied, events, waited }
}

/** A fresh lab with everything the walk has run so far replayed: the lab as the step starts. */
function replayed(loaded: LoadedLesson, options: CheckOptions, done: readonly SolutionStep[]): LabSession {
  const lab = options.openLab(loaded)
  for (const action of done) {
    if ('run' in action) lab.exec(action.on, action.run)
    else lab.trace(action.trace)
  }
  return lab
}

/**
 * A goal that holds before the solution is caught anyway; one that holds after anything at all
 * (ran a command, traced a packet) is caught only by running a plausible wrong attempt.
 */
function proveWrongAttemptRejected(
  file: string,
  at: string,
  step: Task,
  startingLab: () => LabSession
): LessonIssue[] {
  if (!step.wrongAttempt) {
    return [
      {
        file,
        path: `${at}.wrongAttempt`,
        reason: `task "${step.id}" has no wrong attempt: add \`wrongAttempt:\` with what a learner plausibly tries first (the command on the wrong target, a near-miss fix), which the goal must reject`
      }
    ]
  }
  const lab = startingLab()
  const { satisfied } = act(lab, step.goal, step.wrongAttempt)
  if (!evaluateGoal(step.goal, lab.facts(), satisfied).pass) return []
  return [
    {
      file,
      path: `${at}.goal`,
      reason: `task "${step.id}" accepts its wrong attempt: make the goal require what only the solution achieves (the right host, the right state, the right fact in the output)`
    }
  ]
}

/**
 * Plays the lesson start to finish with its own solutions and correct answers: it must end with
 * full marks. The played path is also the proof that `completed` is reachable; a graph search over
 * every order of a step's answers grew as 2^questions and took minutes on a quiz of 16.
 */
function autoSolve(file: string, loaded: LoadedLesson, solve: SolveEvents): LessonIssue[] {
  const actor = createActor(createLessonMachine(loaded.lesson), {
    input: { contentHash: loaded.contentHash }
  }).start()
  const lesson: Lesson = loaded.lesson
  for (const [index, step] of lesson.steps.entries()) {
    for (const event of solve.get(step.id) ?? []) actor.send(event)
    const before = actor.getSnapshot() as LessonSnapshot
    actor.send({ type: 'user.next' })
    if (actor.getSnapshot().value === before.value) {
      actor.stop()
      return [{ file, path: `steps[${index}]`, reason: `auto-solve is stuck at step "${step.id}"` }]
    }
  }
  const snapshot = actor.getSnapshot()
  actor.stop()
  const output = snapshot.output
  if (snapshot.status !== 'done' || !output)
    return [{ file, path: 'steps', reason: 'auto-solve did not complete the lesson' }]
  if (output.score !== output.maxScore) {
    return [
      {
        file,
        path: 'steps',
        reason: `auto-solve scored ${output.score} of ${output.maxScore}: some key does not grade as correct`
      }
    ]
  }
  return []
}
