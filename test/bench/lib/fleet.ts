/**
 * A prepared fleet: N devices enrolled through the real API (`POST /api/v1/enrollment-tokens` with
 * `uses`, then `POST /api/v1/enroll` per device), kept as a data-directory template that each section's
 * hub starts from, with the devices' MQTT credentials.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { carryDatabase, type HubProcess, startHubProcess } from './hub.ts'

export interface DeviceCreds {
  n: number
  id: string
  password: string
}

export interface Fleet {
  template: string
  devices: DeviceCreds[]
  enrollSeconds: number
  enrollPerSec: number
  dispose(): Promise<void>
}

async function enrollAll(hub: HubProcess, count: number, concurrency: number): Promise<DeviceCreds[]> {
  const out: DeviceCreds[] = new Array(count)
  let next = 0
  let remaining = count
  while (remaining > 0) {
    const batch = Math.min(remaining, 100_000)
    const { token } = await hub.api<{ token: string }>('POST', '/api/v1/enrollment-tokens', {
      uses: batch,
      expiresIn: 3600,
    })
    const end = next + batch
    const workers = Array.from({ length: concurrency }, async () => {
      while (next < end) {
        const n = next++
        const r = await fetch(`${hub.httpUrl}/api/v1/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, name: `gw-${String(n).padStart(5, '0')}` }),
        })
        if (r.status !== 201) throw new Error(`enroll ${n}: ${r.status} ${await r.text()}`)
        const body = (await r.json()) as { deviceId: string; mqtt: { password: string } }
        out[n] = { n, id: body.deviceId, password: body.mqtt.password }
      }
    })
    await Promise.all(workers)
    remaining -= batch
  }
  return out
}

const cache = new Map<number, Promise<Fleet>>()

/** Enrolls `count` devices once per run (cached); each section copies the template. */
export function prepareFleet(count: number): Promise<Fleet> {
  let fleet = cache.get(count)
  if (!fleet) {
    fleet = (async () => {
      // Enrollment is rate-limited per client address (security); the bench enrolls from one address.
      const hub = await startHubProcess({ env: { VIGIL_ENROLL_ATTEMPTS_PER_MIN: '1000000' } })
      const started = performance.now()
      let devices: DeviceCreds[]
      try {
        devices = await enrollAll(hub, count, 8)
      } catch (err) {
        await hub.stop()
        throw err
      }
      const enrollSeconds = (performance.now() - started) / 1000
      await hub.stop(true)
      const template = await mkdtemp(join(tmpdir(), 'vigil-bench-fleet-'))
      await cp(hub.dataDir, template, { recursive: true })
      carryDatabase(hub.dataDir, template)
      await rm(hub.dataDir, { recursive: true, force: true })
      await rm(join(template, 'hub.log'), { force: true })
      return {
        template,
        devices,
        enrollSeconds,
        enrollPerSec: count / enrollSeconds,
        dispose: () => rm(template, { recursive: true, force: true }),
      }
    })()
    cache.set(count, fleet)
  }
  return fleet
}

/** The fleet of that size if one was prepared in this run (for the summary), without enrolling one. */
export async function preparedFleet(count: number): Promise<Fleet | undefined> {
  return cache.get(count)?.catch(() => undefined)
}

export async function disposeFleets(): Promise<void> {
  for (const f of cache.values()) await (await f.catch(() => undefined))?.dispose()
  cache.clear()
}
