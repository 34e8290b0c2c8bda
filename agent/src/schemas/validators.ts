/**
 * Validators of the agent's own files (config, credentials, manifest state, trust file). From source
 * (tests, tsx) they are compiled at run time; the build overwrites dist/schemas/validators.js with checks
 * generated ahead of time (same exports and behaviour, see @vigil/protocol/precompile).
 */
import { compile, type Validator } from '@vigil/protocol'
import { AGENT_SCHEMAS } from './index.js'

type AgentSchemas = typeof AGENT_SCHEMAS

export const validators = Object.fromEntries(
  Object.entries(AGENT_SCHEMAS).map(([name, schema]) => [name, compile(schema)]),
) as { readonly [K in keyof AgentSchemas]: Validator<AgentSchemas[K]> }
