/**
 * The hub's features, one fastify plugin each (fastify-plugin: a `name`, the `decorators` it needs and
 * the plugins it depends on), registered by app.ts after the core and before the broker starts
 * delivering. A feature adds its ingest hooks with `app.hub.hooks.add(...)`, and reaches another
 * feature only through that feature's declared decorations or the hub's events:
 *
 * - `vigil-risk-register` (advisories, correlation, register, posture, webhooks, SSVC context) offers
 *   `riskRegister`, `findings`, `advisoryIntake`, `assetContext`; reads `patches` when present.
 * - `vigil-feeds` needs `advisoryIntake`; offers `feeds`.
 * - `vigil-manifests` (manifests, vendors, operator trust) offers `patches`, `enrollmentTrust`;
 *   reads `findings` when present.
 * - `vigil-baselines` offers the fleet baseline.
 *
 * test/architecture/features.test.ts keeps each one declared and out of the shared context.
 */
import type { FastifyPluginAsync } from 'fastify'
import { baselinesFeature } from './baselines/plugin.js'
import { feedsFeature } from './feeds/plugin.js'
import { manifestsFeature } from './manifests/plugin.js'
import { riskRegisterFeature } from './risk/plugin.js'

export const FEATURE_PLUGINS: FastifyPluginAsync[] = [
  riskRegisterFeature,
  feedsFeature,
  manifestsFeature,
  baselinesFeature,
]
