/** What every section gets: the mode, the sizes for that mode, and a logger. */

export interface Sizes {
  /** Devices enrolled once per run (the largest fleet any section needs). */
  fleet: number
  ingestPublishers: number
  ingestWarmupSec: number
  ingestSeconds: number
  latencyDevices: number
  latencyRate: number
  latencySeconds: number
  connections: number
  images: number
  correlationDevices: number
  storeDevices: number
  agentSeconds: number
  agentWarmupSec: number
  dashboardDevices: number
}

export const SIZES: Record<'quick' | 'full', Sizes> = {
  quick: {
    fleet: 600,
    ingestPublishers: 200,
    ingestWarmupSec: 1,
    ingestSeconds: 3,
    latencyDevices: 200,
    latencyRate: 2000,
    latencySeconds: 3,
    connections: 600,
    images: 50,
    correlationDevices: 10_000,
    storeDevices: 10_000,
    agentSeconds: 6,
    agentWarmupSec: 3,
    dashboardDevices: 600,
  },
  full: {
    fleet: 10_000,
    ingestPublishers: 200,
    ingestWarmupSec: 5,
    ingestSeconds: 20,
    latencyDevices: 1000,
    latencyRate: 10_000,
    latencySeconds: 30,
    connections: 10_000,
    images: 50,
    correlationDevices: 10_000,
    storeDevices: 10_000,
    agentSeconds: 300,
    agentWarmupSec: 30,
    dashboardDevices: 10_000,
  },
}

export interface BenchContext {
  mode: 'quick' | 'full'
  sizes: Sizes
  /** When set, the hub runs with `--cpu-prof` and writes its profiles here. */
  cpuProfDir?: string
  log(line: string): void
}

export type SectionResult = Record<string, unknown>

export interface Section {
  name: string
  run(ctx: BenchContext): Promise<SectionResult>
}

/** A section that cannot run yet says why instead of failing the run. */
export class Skip extends Error {}
