/**
 * Where focus goes back to when a sheet closes. Lesson text is HTML rendered from Markdown, so
 * the button that opened a sheet can be replaced by an identical one while the sheet is open
 * (the code highlighter arriving, a step's text rendered anew). The element is then found again
 * by what makes it the same control: its tag, classes, data attributes and text.
 */
export interface FocusReturn {
  readonly element: HTMLElement
  readonly selector: string
  readonly text: string
}

export function rememberFocus(element: Element | null): FocusReturn | null {
  if (!(element instanceof HTMLElement) || element === document.body) return null
  const classes = [...element.classList].map((name) => `.${CSS.escape(name)}`).join('')
  const data = [...element.attributes]
    .filter((attribute) => attribute.name.startsWith('data-') && attribute.name !== 'data-copied')
    .map((attribute) => `[${attribute.name}="${CSS.escape(attribute.value)}"]`)
    .join('')
  const id = element.id ? `#${CSS.escape(element.id)}` : ''
  return {
    element,
    selector: `${element.tagName.toLowerCase()}${id}${classes}${data}`,
    text: element.textContent ?? ''
  }
}

export function focusTarget(remembered: FocusReturn | null): HTMLElement | null {
  if (!remembered) return null
  if (remembered.element.isConnected) return remembered.element
  const again = [...document.querySelectorAll<HTMLElement>(remembered.selector)].find(
    (candidate) => candidate.textContent === remembered.text
  )
  return again ?? null
}
