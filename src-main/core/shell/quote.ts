/**
 * Quote a word so the lab shell reads it back as exactly one argument, unchanged
 * (`kubectl exec POD -- grep "a b"`, `podnet exec … -- CMD ARGS`).
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}
