import type { MethodOutput } from '../api.ts'
import { api } from '../api.ts'
import { locale } from '../i18n/index.ts'

type Profile = MethodOutput<'profiles:list'>['profiles'][number]
type Settings = MethodOutput<'settings:get'>
type StoreNotice = MethodOutput<'app:info'>['storeNotice']

/**
 * Who is learning and how they like the app: the active profile, its settings, and a notice
 * when the progress store had to be set aside. Everything else is fetched per view.
 */
export class Session {
  #profiles = $state.raw<Profile[]>([])
  #active = $state.raw<Profile | null>(null)
  #settings = $state.raw<Settings | null>(null)
  #storeNotice = $state.raw<StoreNotice>(null)
  #ready = $state(false)

  get profiles(): Profile[] {
    return this.#profiles
  }
  get active(): Profile | null {
    return this.#active
  }
  get settings(): Settings | null {
    return this.#settings
  }
  get storeNotice(): StoreNotice {
    return this.#storeNotice
  }
  get ready(): boolean {
    return this.#ready
  }

  async load(): Promise<void> {
    const [info, { profiles, activeId, activeSettings }] = await Promise.all([
      api['app:info']({}),
      api['profiles:list']({})
    ])
    this.#storeNotice = info.storeNotice
    this.#profiles = profiles
    const active = profiles.find((p) => p.id === activeId) ?? null
    if (active && activeSettings) this.#activate(active, activeSettings)
    this.#ready = true
  }

  async createProfile(name: string): Promise<void> {
    const profile = await api['profiles:create']({ name })
    this.#profiles = byName([...this.#profiles, profile])
    await this.selectProfile(profile.id)
  }

  /** Renames the active learner. */
  async renameProfile(name: string): Promise<void> {
    if (!this.#active) return
    const renamed = await api['profiles:rename']({ learnerId: this.#active.id, name })
    this.#profiles = byName(this.#profiles.map((p) => (p.id === renamed.id ? renamed : p)))
    this.#active = renamed
  }

  /** Deletes a learner once `confirm` repeats their name; deleting the active one leaves nobody signed in. */
  async deleteProfile(learnerId: string, confirm: string): Promise<void> {
    await api['profiles:delete']({ learnerId, confirm })
    this.#profiles = this.#profiles.filter((p) => p.id !== learnerId)
    if (this.#active?.id === learnerId) {
      this.#active = null
      this.#settings = null
    }
  }

  async selectProfile(learnerId: string): Promise<void> {
    const profile = await api['profiles:select']({ learnerId })
    this.#activate(profile, await api['settings:get']({ learnerId: profile.id }))
  }

  async updateSettings(changes: Partial<Settings>): Promise<void> {
    if (!this.#active) return
    if (changes.locale) locale.set(changes.locale)
    this.#settings = await api['settings:set']({ learnerId: this.#active.id, settings: changes })
    this.#apply()
  }

  #activate(profile: Profile, settings: Settings): void {
    this.#active = profile
    this.#settings = settings
    if (this.#settings.locale) locale.set(this.#settings.locale)
    this.#apply()
  }

  #apply(): void {
    const settings = this.#settings
    if (!settings) return
    const root = document.documentElement
    if (settings.theme === 'system') delete root.dataset['theme']
    else root.dataset['theme'] = settings.theme
    root.style.setProperty('--font-scale', String(settings.fontScale))
    root.dataset['reducedMotion'] = String(settings.reducedMotion)
  }
}

export const session = new Session()

/** By name ignoring case, as profiles:list sorts them, so an added or renamed learner sits where a reload puts them. */
function byName(profiles: Profile[]): Profile[] {
  return [...profiles].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }))
}
