/** @vigil/hub: build, configure and start a hub in-process (used by the CLI, tests and the bench). */
export { type BuildOptions, buildApp } from './app.js'
export { ConfigError, type HubConfig, type HubConfigInput, loadHubConfig } from './config.js'
export type { HubContext } from './context.js'
export { hardeningContentHash, inventoryContentHash } from './ingest/content-hash.js'
export type { IngestHooks } from './ingest/hooks.js'
export { type RunningHub, startHub } from './server.js'
export type { Store } from './store/types.js'
