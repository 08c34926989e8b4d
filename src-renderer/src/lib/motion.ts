/** Reduced motion (the app's setting or the OS's) makes every move instant: no smooth scrolling, no glides. */
export function reducedMotion(): boolean {
  return (
    document.documentElement.dataset['reducedMotion'] === 'true' ||
    window.matchMedia('(prefers-reduced-motion: reduce)').matches
  )
}

/** How a scroll the app makes on the learner's behalf moves. */
export function scrollBehavior(): ScrollBehavior {
  return reducedMotion() ? 'instant' : 'smooth'
}
