/** The risk register's classes, for the bench to drive the hub's real register path (`@vigil/hub/register`). */

export { RegisterDb } from './records.js'
export { findingId, RiskRegister } from './register.js'
