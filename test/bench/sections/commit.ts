/**
 * What an acknowledgement waits for (issue 12): every acknowledged change is committed to the store's
 * journal first (group commit). Two figures on the real hub:
 *  - `inventoryPubackP99Ms`: QoS 1 inventories at 100/s (each a distinct ~720-package content, so each
 *    is a new content-addressed blob and a device update), timed publish → PUBACK in a load process;
 *  - `bulkTransitionMs`: `POST /api/v1/findings/bulk` moving 1,000 findings to `in_progress` in one
 *    request, timed until the hub answers (it answers only after the commit). The findings come from
 *    devices connected with their images' inventories (this machine's dpkg packages) and one OSV
 *    advisory (`POST /api/v1/advisories`) per common package, affecting every Debian 12 version.
 */
import type { BulkResult } from '@vigil/protocol'
import type { Section } from '../lib/context.ts'
import { prepareFleet } from '../lib/fleet.ts'
import { startHubProcess } from '../lib/hub.ts'
import { startWorker, type Worker } from '../lib/proc.ts'
import { round, sleep, waitFor } from '../lib/stats.ts'
import { connectFleet } from './connections.ts'
import { ackMs, type PubackReport } from './latency.ts'

const INVENTORY_DEVICES = 100
const INVENTORY_RATE = 100
const BULK = 1000
/** Packages every Debian 12 system has: one synthetic advisory each. */
export const PACKAGES = [
  'libc6',
  'bash',
  'coreutils',
  'dpkg',
  'tar',
  'grep',
  'sed',
  'gzip',
  'perl-base',
  'util-linux',
  'findutils',
  'diffutils',
  'hostname',
  'login',
  'passwd',
  'mount',
  'ncurses-bin',
  'libsystemd0',
  'libudev1',
  'debianutils',
  'base-files',
  'apt',
  'zlib1g',
  'libzstd1',
  'liblzma5',
  'libselinux1',
]

export const advisory = (pkg: string) => ({
  schema_version: '1.6.0',
  id: `x_bench-${pkg}`,
  published: '2026-01-01T00:00:00Z',
  modified: '2026-01-01T00:00:00Z',
  summary: `${pkg} - bench advisory`,
  affected: [
    {
      package: { name: pkg, ecosystem: 'Debian:12', purl: `pkg:deb/debian/${pkg}?arch=source` },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9999:0' }] }],
    },
  ],
})

export const commit: Section = {
  name: 'commit',
  async run(ctx) {
    const fleet = await prepareFleet(ctx.sizes.fleet)
    const hub = await startHubProcess({ template: fleet.template })
    const workers: Worker[] = []
    try {
      for (const pkg of PACKAGES) await hub.api('POST', '/api/v1/advisories', advisory(pkg))
      // Findings: enough devices connected with their images' inventories.
      const c = await connectFleet(
        hub,
        fleet.devices.slice(0, Math.min(500, fleet.devices.length - INVENTORY_DEVICES)),
        {
          images: ctx.sizes.images,
          answerCommands: true,
          timeoutMs: 60_000,
        },
      )
      workers.push(...c.workers)
      let total = 0
      await waitFor(
        async () => {
          total = (await hub.api<{ total: number }>('GET', '/api/v1/findings?state=open&limit=1')).total
          return total >= BULK
        },
        60_000,
        1000,
      )
      const page = await hub.api<{ findings: { id: string }[] }>(
        'GET',
        `/api/v1/findings?state=open&limit=${BULK}`,
      )
      const ids = page.findings.map((f) => f.id)
      const t0 = performance.now()
      const bulk = await hub.api<BulkResult>('POST', '/api/v1/findings/bulk', {
        ids,
        transition: { state: 'in_progress', why: 'bench: bulk transition' },
      })
      const bulkTransitionMs = performance.now() - t0

      // Inventories at 100/s from devices outside the ones above, timed to their PUBACK.
      const inv = startWorker('publisher', {
        url: hub.mqttUrl,
        clients: fleet.devices.slice(-INVENTORY_DEVICES).map((d) => ({ id: d.id, password: d.password })),
        mode: 'puback',
        kind: 'inventory',
        qos: 1,
        rate: INVENTORY_RATE,
      })
      workers.push(inv)
      await inv.next('ready', 120_000)
      inv.send({ type: 'go' })
      await sleep(2000)
      inv.send({ type: 'mark' })
      const refused0 = await hub.metric('vigil_ingest_refused_total')
      const stored0 = await hub.metric('vigil_mqtt_messages_total', 'kind="inventory"')
      const seconds = ctx.mode === 'full' ? 20 : 5
      await sleep(seconds * 1000)
      inv.send({ type: 'puback' })
      const ack = await inv.next<PubackReport>('puback', 30_000)
      inv.send({ type: 'halt' })
      const stored = (await hub.metric('vigil_mqtt_messages_total', 'kind="inventory"')) - stored0
      const refused = (await hub.metric('vigil_ingest_refused_total')) - refused0
      return {
        findingsOpen: total,
        bulkIds: ids.length,
        bulkUpdated: bulk.updated.length,
        bulkFailed: bulk.failed.length,
        bulkTransitionMs: round(bulkTransitionMs),
        inventoryRatePerSec: INVENTORY_RATE,
        inventoriesPerSecAccepted: round(stored / seconds),
        inventoriesRefused: refused,
        inventoryPubackP50Ms: ackMs(ack, 'p50'),
        inventoryPubackP99Ms: ackMs(ack, 'p99'),
        inventoryPubackMaxMs: ackMs(ack, 'max'),
        inventoryPubackSamples: ack.samples,
        inventoryPubackFailed: ack.failed,
        inventoryPubackUnacked: ack.unacked,
        hubRssMB: round(hub.rssMB()),
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
      await hub.stop()
    }
  },
}
