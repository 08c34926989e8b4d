import type { ProgressStore } from '../../store/index.ts'
import type { Settings } from '../contract.ts'
import { ApiError } from '../envelope.ts'
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
/** Learner profiles on this machine and each one's settings. */
export function profileHandlers(
  ctx: ServiceContext
): Pick<Handlers, 'settings:get' | 'settings:set' | 'profiles:list' | 'profiles:create' | 'profiles:select'> {
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
      if (!p) throw new ApiError('not_found', `no learner profile with id "${learnerId}"`)
      store.settings.set(activeLearnerKey, learnerId)
      return { id: p.id, name: p.name, createdAt: new Date(p.createdAt).toISOString() }
    }
  }
}
