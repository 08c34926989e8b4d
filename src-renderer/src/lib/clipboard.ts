/**
 * Puts text on the clipboard. The async Clipboard API needs a secure context (the desktop app,
 * or the web host on loopback); a classroom served over plain HTTP on the LAN has none, so the
 * copy falls back to selecting the text in a hidden field. Resolves to whether either worked.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // Refused (no permission, page not focused): the selection fallback may still work.
  }
  return copyBySelection(text)
}

function copyBySelection(text: string): boolean {
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null
  const field = document.createElement('textarea')
  field.value = text
  field.readOnly = true
  field.style.position = 'fixed'
  field.style.opacity = '0'
  document.body.append(field)
  field.select()
  let copied: boolean
  try {
    copied = document.execCommand('copy')
  } catch {
    copied = false
  }
  field.remove()
  // Selecting moved focus into the field; give it back to the button the learner pressed.
  focused?.focus()
  return copied
}
