import type { Handlers } from '../dispatch.ts'
import type { CaptureChoice } from '../lab-tools.ts'
import type { ServiceContext } from './context.ts'

/** The learner's labs: terminals, traces, captures, the diagram, and free-play sandboxes. */
export function labHandlers(
  ctx: ServiceContext
): Pick<
  Handlers,
  | 'shell:exec'
  | 'shell:complete'
  | 'trace:run'
  | 'trace:pcap'
  | 'trace:capturePoints'
  | 'sandbox:open'
  | 'sandbox:exec'
  | 'sandbox:trace'
  | 'sandbox:topology'
  | 'sandbox:diagram'
  | 'sandbox:inspect'
  | 'sandbox:reset'
  | 'lab:terminalInput'
  | 'lab:terminalInterrupt'
  | 'lab:topology'
  | 'lab:diagram'
  | 'lab:inspect'
> {
  const { course, availableLesson, usableStore, storeIfUsable, lessons, sandboxes } = ctx

  /** Free play and lessons share terminal completion and capture downloads. */
  function labTools(
    learnerId: string,
    lab: { kind: 'lesson'; lessonId: string } | { kind: 'sandbox'; sandboxId: string }
  ) {
    if (lab.kind === 'sandbox') {
      return {
        complete: (on: string, line: string, cursor: number) =>
          sandboxes.complete(learnerId, lab.sandboxId, on, line, cursor),
        pcap: (traceId: number, capture: CaptureChoice) =>
          sandboxes.pcap(learnerId, lab.sandboxId, traceId, capture),
        capturePoints: (traceId: number) => sandboxes.capturePoints(learnerId, lab.sandboxId, traceId)
      }
    }
    const host = lessons(usableStore())
    return {
      complete: (on: string, line: string, cursor: number) =>
        host.complete(learnerId, lab.lessonId, on, line, cursor),
      pcap: (traceId: number, capture: CaptureChoice) => host.pcap(learnerId, lab.lessonId, traceId, capture),
      capturePoints: (traceId: number) => host.capturePoints(learnerId, lab.lessonId, traceId)
    }
  }
  return {
    'shell:exec': async ({ learnerId, lessonId, on, line }) => {
      const { view, ...output } = await lessons(usableStore()).exec(learnerId, lessonId, on, line)
      return { ...output, session: view }
    },

    'shell:complete': async ({ learnerId, lab, on, line, cursor }) => {
      const {
        line: completed,
        cursor: at,
        candidates
      } = await labTools(learnerId, lab).complete(on, line, cursor)
      return { line: completed, cursor: at, candidates: [...candidates] }
    },

    'trace:run': async ({ learnerId, lessonId, trace }) => {
      const {
        trace: result,
        traceId,
        story,
        view
      } = await lessons(usableStore()).trace(learnerId, lessonId, trace)
      return { trace: result, traceId, story, session: view }
    },

    'trace:pcap': ({ learnerId, lab, traceId, capture }) =>
      labTools(learnerId, lab).pcap(traceId, capture ?? { format: 'pcapng' }),

    'trace:capturePoints': async ({ learnerId, lab, traceId }) => ({
      points: await labTools(learnerId, lab).capturePoints(traceId)
    }),

    'sandbox:open': ({ learnerId, source }) => {
      if (source.kind === 'file') return sandboxes.open(learnerId, source)
      const { lesson, scenario, scenarioText } = availableLesson(source.lessonId)
      return sandboxes.open(learnerId, {
        kind: 'lesson',
        lessonId: lesson.id,
        title: lesson.title,
        scenario,
        scenarioText
      })
    },

    'sandbox:exec': ({ learnerId, sandboxId, on, line }) => sandboxes.exec(learnerId, sandboxId, on, line),

    'sandbox:trace': ({ learnerId, sandboxId, trace }) =>
      sandboxes.trace(learnerId, sandboxId, trace, (lessonId) => {
        const loaded = course().lessons.find(
          (entry) => entry.status === 'available' && entry.lesson.lesson.id === lessonId
        )
        const store = storeIfUsable()
        return loaded?.status === 'available' && store
          ? lessons(store).pendingPrediction(learnerId, loaded.lesson)
          : undefined
      }),

    'sandbox:topology': ({ learnerId, sandboxId }) => sandboxes.topology(learnerId, sandboxId),

    'sandbox:diagram': ({ learnerId, sandboxId }) => sandboxes.diagram(learnerId, sandboxId),

    'sandbox:inspect': async ({ learnerId, sandboxId, objectId }) => ({
      objectId,
      sections: await sandboxes.inspect(learnerId, sandboxId, objectId)
    }),

    'sandbox:reset': async ({ learnerId, sandboxId }) => {
      await sandboxes.reset(learnerId, sandboxId)
      return sandboxes.topology(learnerId, sandboxId)
    },

    'lab:terminalInput': async ({ learnerId, lab, terminalId, line }) => {
      if (lab.kind === 'sandbox') return sandboxes.terminalInput(learnerId, lab.sandboxId, terminalId, line)
      const { view, ...output } = await lessons(usableStore()).terminalInput(
        learnerId,
        lab.lessonId,
        terminalId,
        line
      )
      return { ...output, session: view }
    },

    'lab:terminalInterrupt': async ({ learnerId, lab, terminalId, signal }) => {
      if (lab.kind === 'sandbox') {
        await sandboxes.interrupt(learnerId, lab.sandboxId, terminalId, signal)
        return {}
      }
      return { session: await lessons(usableStore()).interrupt(learnerId, lab.lessonId, terminalId, signal) }
    },

    'lab:topology': ({ learnerId, lessonId }) => lessons(usableStore()).topology(learnerId, lessonId),

    'lab:diagram': ({ learnerId, lessonId }) => lessons(usableStore()).diagram(learnerId, lessonId),

    'lab:inspect': async ({ learnerId, lessonId, objectId }) => ({
      objectId,
      sections: await lessons(usableStore()).inspect(learnerId, lessonId, objectId)
    })
  }
}
