/**
 * Policy routing rules. Every namespace starts with the kernel's three (fib_default_rules_init)
 * and the lab's components add none (flannel and kube-proxy route by table main alone), so the
 * rules are the defaults until the simulator models `ip rule add`.
 */

export interface Rule {
  priority: number
  table: string
}

export const DEFAULT_RULES: readonly Rule[] = [
  { priority: 0, table: 'local' },
  { priority: 32766, table: 'main' },
  { priority: 32767, table: 'default' }
]

/** One line of `ip rule show`. */
export function formatRule(rule: Rule): string {
  return `${rule.priority}:\tfrom all lookup ${rule.table}`
}
