/**
 * `@vigil/protocol/wire` — the light entry for devices (Node): topic builders and parser, delivery
 * rules, wire constants, canonical JSON and validators precompiled at build time, without loading the
 * TypeBox schema builder or compiler (~25 MB of a small daemon's memory). Types come from
 * `@vigil/protocol` with `import type`. Version comparison is its own entry, `@vigil/protocol/versions`
 * (a daemon loads it only when it needs it).
 */
export { canonicalJson } from '../canonical.js'
export { KEY_ROTATION_PAYLOAD_TYPE, MANIFEST_PAYLOAD_TYPE, PROTOCOL_VERSION } from '../constants.js'
export { jsonDepthExceeds, MAX_JSON_DEPTH } from '../json-depth.js'
export {
  formatErrors,
  makeValidator,
  type ParseResult,
  precompiled,
  type RuntimeCompiler,
  type SchemaError,
  type Validator,
} from '../validator-core.js'
export { applyDefaults } from './defaults.js'
export * from './topics.js'
export { validators } from './validators.js'
