/**
 * Build step: replaces dist/schemas/validators.js (compiled at run time from source) with checks generated
 * ahead of time, so `vigil-agent run` never loads TypeBox for valid input.
 *
 *   node dist/build/precompile.js
 */
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { precompileModule } from '@vigil/protocol/precompile'
import { AGENT_SCHEMAS } from '../schemas/index.js'

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'validators.js')
await writeFile(file, precompileModule(AGENT_SCHEMAS, { core: '@vigil/protocol/wire' }))
console.log(`agent: wrote ${Object.keys(AGENT_SCHEMAS).length} precompiled validators to ${file}`)
