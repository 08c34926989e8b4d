#!/usr/bin/env node
// Runs the web host from TypeScript sources (via tsx), serving the renderer built by `npm run build`.
import { register } from 'tsx/esm/api'

register()
await import('../src-main/platform/web/serve-cli.ts')
