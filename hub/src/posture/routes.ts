import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { CorrelationEngine } from '../correlation/engine.js'
import type { RiskRegister } from '../register/register.js'

export interface PostureDeps {
  register: RiskRegister
  engine: CorrelationEngine
}

export const postureRoutes =
  (_d: PostureDeps): FastifyPluginAsyncTypebox =>
  async () => {}
