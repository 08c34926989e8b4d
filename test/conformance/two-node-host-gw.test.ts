import { defineConformance } from './conformance.ts'

defineConformance('two-node-host-gw', 'pnl-chg')
