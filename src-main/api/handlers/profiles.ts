import type { ProgressStore } from '../../store/index.ts'
import type { Settings } from '../contract.ts'
import { ApiError } from '../envelope.ts'
import { reason } from '../error-reasons.ts'
import { unknownLearner } from '../refusals.ts'
import type { Handlers } from '../dispatch.ts'
import type { ServiceContext } from './context.ts'

const defaultSettings: Settings = { locale: null, theme: 'system', fontScale: 1, reducedMotion: false }
const activeLearnerKey = 'activeLearner'

function settingsOf(store: ProgressStore, learnerId: string): Settings {
  const saved = store.settings.all(learnerId)
  const merged: Record<string, unknown> = { ...defaultSettings }
  for (const key of Object.keys(defaultSettings)) if (key in saved) merged[key] = saved[key]
  return merged as Settings
}
/**
 * A class member's profile is the class's: it is switched to, renamed and deleted only through
 * the class, since deleting it here would take the learner's class progress with it.
 */
function refuseClassMember(store: ProgressStore, learnerId: string): void {
  const joined = store.classes.classOf(learnerId)
  if (joined) {
    throw new ApiError(
      'forbidden',
      `this learner joined the class "${joined.name}"; their profile belongs to that class and goes only when the class is deleted`,
      { reason: reason('class_learner', { className: joined.name }) }
    )
  }
}

/** Learner profiles on this machine and each one's settings. */
export function profileHandlers(
  ctx: ServiceContext
): Pick<
  Handlers,
  | 'settings:get'
  | 'settings:set'
  | 'profiles:list'
  | 'profiles:create'
  | 'profiles:select'
  | 'profiles:rename'
  | 'profiles:delete'
> {
  const { usableStore, requireLearner } = ctx
  return {
    'settings:get': ({ learnerId }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      return settingsOf(store, learnerId)
    },

    'settings:set': ({ learnerId, settings }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      for (const [key, value] of Object.entries(settings)) {
        if (value !== undefined) store.settings.set(key, value, learnerId)
      }
      return settingsOf(store, learnerId)
    },

    'profiles:list': () => {
      const store = usableStore()
      const profiles = store.profiles.list()
      const active = store.settings.get(activeLearnerKey)
      const activeId = typeof active === 'string' && profiles.some((p) => p.id === active) ? active : null
      return {
        profiles: profiles.map((p) => ({
          id: p.id,
          name: p.name,
          createdAt: new Date(p.createdAt).toISOString()
        })),
        activeId,
        activeSettings: activeId === null ? null : settingsOf(store, activeId)
      }
    },

    'profiles:create': ({ name }) => {
      const store = usableStore()
      const p = store.profiles.create(name)
      return { id: p.id, name: p.name, createdAt: new Date(p.createdAt).toISOString() }
    },

    'profiles:select': ({ learnerId }) => {
      const store = usableStore()
      const p = store.profiles.get(learnerId)
      if (!p) throw unknownLearner(learnerId)
      refuseClassMember(store, learnerId)
      store.settings.set(activeLearnerKey, learnerId)
      return { id: p.id, name: p.name, createdAt: new Date(p.createdAt).toISOString() }
    },

    'profiles:rename': ({ learnerId, name }) => {
      const store = usableStore()
      refuseClassMember(store, learnerId)
      const p = store.profiles.rename(learnerId, name)
      return { id: p.id, name: p.name, createdAt: new Date(p.createdAt).toISOString() }
    },

    'profiles:delete': ({ learnerId, confirm }) => {
      const store = usableStore()
      const p = store.profiles.get(learnerId)
      if (!p) throw unknownLearner(learnerId)
      refuseClassMember(store, learnerId)
      if (confirm !== p.name) {
        throw new ApiError('invalid_input', `confirm: type the profile's name "${p.name}" to delete it`, {
          reason: reason('confirm_mismatch', { name: p.name })
        })
      }
      const active = store.settings.get(activeLearnerKey)
      store.transaction(() => {
        store.profiles.delete(learnerId)
        if (active === learnerId) store.settings.remove(activeLearnerKey)
      })
      // Labs held open for the learner would otherwise live on, and could write rows for nobody.
      ctx.openLessons()?.forget(learnerId)
      ctx.sandboxes.forget(learnerId)
      return {
        deleted: { id: p.id, name: p.name, createdAt: new Date(p.createdAt).toISOString() },
        activeId: active === learnerId || typeof active !== 'string' ? null : active
      }
    }
  }
}
