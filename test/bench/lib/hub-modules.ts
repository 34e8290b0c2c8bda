/**
 * The hub's built modules the bench drives directly (advisories, correlation engine, store), through
 * `@vigil/hub`'s subpath exports: workers run without the `source` condition, so these load the
 * built `dist` files, while the test package's typecheck sees the real types from `src`.
 * Loaded with `import()` so that a hub that is not built fails inside the section, which records it.
 */
export type { Advisory, MatchDevice, MatchTarget } from '@vigil/hub/advisories'

export const loadAdvisories = () => import('@vigil/hub/advisories')
export const loadCorrelation = () => import('@vigil/hub/correlation')
export const loadStore = () => import('@vigil/hub/store')
export const loadRisk = () => import('@vigil/hub/risk')
export const loadRegister = () => import('@vigil/hub/register')
export const loadRegisterEmit = () => import('@vigil/hub/register-emit')
