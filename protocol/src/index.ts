/**
 * @vigil/protocol — the contract shared by agent, hub and dashboard. Everything exported here runs in
 * Node and in the browser; Node-only parts (signing) live under `@vigil/protocol/signing`.
 */
export * from './api/common.js'
export * from './api/device.js'
export * from './api/enrollment.js'
export * from './api/session.js'
export * from './canonical.js'
export * from './events.js'
export * from './messages/command.js'
export * from './messages/event.js'
export * from './messages/hardening.js'
export * from './messages/identity.js'
export * from './messages/inventory.js'
export * from './messages/key-rotation.js'
export * from './messages/manifest.js'
export * from './messages/state.js'
export * from './messages/telemetry.js'
export type { Static, TSchema } from './schema.js'
export { PROTOCOL_VERSION, Severity, Type } from './schema.js'
export * from './topics.js'
export * from './validate.js'
export * from './versions/index.js'
