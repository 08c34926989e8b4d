/**
 * Pane sizes are remembered per learner in this browser's localStorage (the settings store takes
 * only the settings the contract names). paneforge saves a group's layout under
 * `paneforge:<autoSaveId>`; these ids carry the learner, so two profiles on one machine keep
 * their own arrangement.
 */
export type PaneGroupName =
  'workspace' | 'lab' | 'lab-presenting' | 'lab-shell' | 'lab-terminal-presenting' | 'hops' | 'diagram'

export function paneLayoutKey(learnerId: string, group: PaneGroupName): string {
  return `podnet:${learnerId}:${group}`
}
