/** The collectors the agent loop calls; injectable so simulate and tests can supply their own. */
import type { DeviceIdentity, Inventory, Telemetry } from '@vigil/protocol'
import { type CheckEnv, createCheckEnv } from '../hardening/env.js'
import type { AgentConfig } from '../schemas/agent-config.js'
import { buildIdentity, collectHardware, localHostname } from './identity.js'
import { collectInventory } from './sources.js'
import { createTelemetrySampler } from './telemetry-sampler.js'

export interface AgentCollectors {
  identity(inventory: Inventory): Promise<DeviceIdentity>
  inventory(now: Date): Promise<Inventory>
  telemetry(now: Date): Promise<Telemetry>
  checkEnv: CheckEnv
}

export function defaultCollectors(config: AgentConfig): AgentCollectors {
  const sampler = createTelemetrySampler()
  let hardware: Awaited<ReturnType<typeof collectHardware>> | undefined
  return {
    async identity(inventory) {
      hardware ??= await collectHardware()
      return buildIdentity({
        hostname: localHostname(),
        hardware,
        identity: config.identity,
        os: inventory.os,
        firmwareVersion: inventory.firmwareVersion,
      })
    },
    inventory: (now) => collectInventory(config, now),
    telemetry: (now) => sampler.sample(now),
    checkEnv: createCheckEnv(config.paths.root),
  }
}
