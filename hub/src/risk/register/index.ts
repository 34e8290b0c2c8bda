/** The risk register's classes and the hub's handling of its events, for the bench to drive the hub's real register path (`@vigil/hub/register`). */

export { registerEmitter } from '../register-emit.js'
export { WebhookDispatcher } from '../webhooks/dispatcher.js'
export { RegisterDb } from './records.js'
export { findingId, RiskRegister } from './register.js'
