// Starts a worker from TypeScript sources (tests, `npm run serve`, the CLI), as tsx runs the
// host itself; the Electron build starts its bundled lab-worker.js instead.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
