/**
 * Build step: replaces dist/wire/validators.js (compiled at run time from source) with checks generated
 * ahead of time, so `@vigil/protocol/wire` never loads TypeBox for valid input.
 *
 *   node dist/build/precompile-wire.js
 */
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WIRE_SCHEMAS } from '../wire/schemas.js'
import { precompileModule } from './precompile.js'

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'wire', 'validators.js')
await writeFile(file, precompileModule(WIRE_SCHEMAS, { core: '../validator-core.js' }))
console.log(`protocol: wrote ${Object.keys(WIRE_SCHEMAS).length} precompiled validators to ${file}`)
