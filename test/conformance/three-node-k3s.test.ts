import { defineConformance } from './conformance.ts'

defineConformance('three-node-k3s', 'pnl-ck3')
