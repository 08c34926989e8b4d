/**
 * The Content-Security-Policy of every page the app shows, in Electron and in the web host.
 * `style-src 'unsafe-inline'` because xterm and Svelte transitions inject style elements;
 * nothing else is relaxed: no remote content, no eval, no plugins, no framing.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')
