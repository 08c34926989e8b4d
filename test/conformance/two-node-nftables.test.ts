import { defineConformance } from './conformance.ts'

defineConformance('two-node-nftables', 'pnl-cnf')
