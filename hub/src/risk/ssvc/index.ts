/** Clinical risk (issue 17): asset context, SSVC decisions. The bench drives these through `@vigil/hub/risk`. */
export { ContextDb } from './context-db.js'
export { decide } from './decide.js'
export { SsvcDecider } from './decider.js'
export { deployerOutcome, humanImpact } from './table.js'
