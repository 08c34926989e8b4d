import { defineConformance } from './conformance.ts'

defineConformance('two-node-vxlan', 'pnl-cvx')
