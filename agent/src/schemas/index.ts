/**
 * The agent's own schemas, by validator name: src/schemas/validators.ts compiles them at run time from source;
 * the build (src/build/precompile.ts) replaces dist/schemas/validators.js with checks generated ahead of time,
 * so the daemon never loads TypeBox. Import this module only at build time and in tests.
 */
import { AgentConfigSchema } from './agent-config.js'
import { Credentials } from './credentials.js'
import { ManifestState, TrustFile } from './manifest-state.js'

export const AGENT_SCHEMAS = {
  agentConfig: AgentConfigSchema,
  credentials: Credentials,
  manifestState: ManifestState,
  trustFile: TrustFile,
}
