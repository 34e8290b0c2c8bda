/**
 * Build step: writes the JSON Schema of every message and an AsyncAPI 3 document, both generated from
 * the same TypeBox schemas the code validates with, plus the topic table of protocol/README.md.
 *
 *   node dist/build/emit.js [outDir]     (default: protocol/generated)
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { asyncApiDocument, jsonSchemas, topicTableMarkdown } from './documents.js'

const here = dirname(fileURLToPath(import.meta.url))
const outDir = resolve(process.argv[2] ?? join(here, '..', '..', 'generated'))

await mkdir(join(outDir, 'json-schema'), { recursive: true })
const schemas = jsonSchemas()
for (const [name, schema] of Object.entries(schemas)) {
  await writeFile(join(outDir, 'json-schema', `${name}.json`), `${JSON.stringify(schema, null, 2)}\n`)
}
await writeFile(join(outDir, 'asyncapi.json'), `${JSON.stringify(asyncApiDocument(), null, 2)}\n`)
await writeFile(join(outDir, 'topics.md'), topicTableMarkdown())
console.log(`protocol: wrote ${Object.keys(schemas).length} JSON Schemas and asyncapi.json to ${outDir}`)
