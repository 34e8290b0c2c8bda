/**
 * Feature plugins (advisories/correlation, risk register, manifests, users, audit…), registered by
 * app.ts after the core and before the broker starts delivering. A feature adds its ingest hooks with
 * `app.hub.hooks.add(...)`.
 */
import type { FastifyPluginAsync } from 'fastify'
import { baselinesFeature } from './baselines/plugin.js'
import { feedsFeature } from './feeds/plugin.js'
import { manifestsFeature } from './manifests/plugin.js'
import { riskRegisterFeature } from './register/plugin.js'

export const FEATURE_PLUGINS: FastifyPluginAsync[] = [
  riskRegisterFeature,
  feedsFeature,
  manifestsFeature,
  baselinesFeature,
]
