export { compareVersions } from './compare.js'
export type { Ordering, VersionScheme } from './types.js'
export { isVersionScheme, VERSION_SCHEMES, VersionError } from './types.js'
