/**
 * The services a hub instance is made of, shared by its plugins through one fastify decoration
 * (`app.hub`). Built and torn down by `core.ts`.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { DeviceBus } from './broker/bus.js'
import type { BrokerCredentials } from './broker/dynsec-credentials.js'
import type { HubConfig } from './config.js'
import type { CommandDispatcher } from './devices/commands.js'
import type { DeviceRegistry } from './devices/registry.js'
import type { TelemetryHistory } from './devices/telemetry-history.js'
import type { HubEvents } from './events/hub-events.js'
import type { BlobCollector } from './ingest/blob-collector.js'
import type { IngestHookSet } from './ingest/hooks.js'
import type { Jobs } from './jobs/jobs.js'
import type { HubMetrics } from './metrics/metrics.js'
import type { AuditEntry, Store } from './store/types.js'

export interface HubContext {
  readonly config: HubConfig
  readonly store: Store
  readonly registry: DeviceRegistry
  readonly telemetry: TelemetryHistory
  readonly events: HubEvents
  readonly metrics: HubMetrics
  readonly hooks: IngestHookSet
  readonly commands: CommandDispatcher
  /** Collects stored inventories/hardening reports no device references (periodic sweep). */
  readonly blobs: BlobCollector
  readonly log: FastifyBaseLogger
  /** Cluster-wide jobs: whether this hub runs one now (jobs/; embedded: always). */
  readonly jobs: Jobs
  /** Set once the broker (embedded or external) is up. */
  bus: DeviceBus | undefined
  /**
   * External broker with hub-issued device credentials (`VIGIL_MQTT_CREDENTIALS`): enrollment, disabling,
   * rotation and deletion change them there first. Undefined in embedded mode (the hub checks them itself).
   */
  brokerCredentials: BrokerCredentials | undefined
  /** The admin password generated on first start (printed once by the CLI), if any. */
  generatedAdminPassword: string | undefined
  ready: boolean
  audit(entry: Omit<AuditEntry, 'ts'>): void
}

declare module 'fastify' {
  interface FastifyInstance {
    hub: HubContext
  }
}
