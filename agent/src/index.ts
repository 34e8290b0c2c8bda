/** @vigil/agent — the gateway agent as a library (the CLI is `vigil-agent`, see src/bin). */
export { type Agent, type CreateAgentOptions, createAgent } from './agent.js'
export { type Clock, systemClock } from './clock.js'
export type { AgentCollectors } from './collectors/index.js'
export { ConfigError, type LoadAgentConfigOptions, loadAgentConfig } from './config/load.js'
export { type AgentConfig, DEFAULT_STATE_DIR } from './config/schema.js'
export { type Credentials, readCredentials } from './credentials.js'
export { EnrollError, type EnrollOptions, enrollDevice } from './enroll.js'
export type { Transport } from './link/mqtt-link.js'
