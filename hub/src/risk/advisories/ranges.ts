/** Version ranges (`vers:` and CSAF bare forms) come from `@vigil/protocol`; re-exported in one place. */

export type { VersionRange } from '@vigil/protocol'
export { parseRange, rangeContains } from '@vigil/protocol'
