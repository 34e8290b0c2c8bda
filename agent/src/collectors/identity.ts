/**
 * Device identity: systeminformation hardware facts + configured vendor/model/serial/firmware + OS. The
 * assembly is pure (`buildIdentity`); `collectIdentity` is the impure edge, run at start and on rescan.
 */
import { hostname } from 'node:os'
import type { DeviceIdentity, OsRelease } from '@vigil/protocol'
import si from 'systeminformation'
import type { AgentConfig } from '../config/schema.js'

export interface HardwareFacts {
  manufacturer?: string
  model?: string
  uuid?: string
  serial?: string
}

const clean = (s: string | undefined, max = 128) => {
  const t = s?.trim()
  return t && t !== '-' && t !== 'Default string' ? t.slice(0, max) : undefined
}

export function buildIdentity(input: {
  hostname: string
  hardware: HardwareFacts
  identity: AgentConfig['identity']
  os: OsRelease
  firmwareVersion?: string | undefined
}): DeviceIdentity {
  const id: DeviceIdentity = { hostname: input.hostname.slice(0, 255), os: input.os }
  const vendor = clean(input.identity.vendor)
  const model = clean(input.identity.model)
  const serial = clean(input.identity.serial) ?? clean(input.hardware.serial)
  if (vendor) id.vendor = vendor
  if (model) id.model = model
  if (serial) id.serial = serial
  if (input.firmwareVersion) id.firmwareVersion = input.firmwareVersion.slice(0, 128)
  const hw: NonNullable<DeviceIdentity['hardware']> = {}
  const m = clean(input.hardware.manufacturer)
  const hm = clean(input.hardware.model)
  const uuid = clean(input.hardware.uuid)
  if (m) hw.manufacturer = m
  if (hm) hw.model = hm
  if (uuid) hw.uuid = uuid
  if (Object.keys(hw).length > 0) id.hardware = hw
  return id
}

export async function collectHardware(): Promise<HardwareFacts> {
  try {
    const [sys, uuid] = await Promise.all([si.system(), si.uuid()])
    return { manufacturer: sys.manufacturer, model: sys.model, serial: sys.serial, uuid: sys.uuid || uuid.os }
  } catch {
    return {}
  }
}

export function localHostname(): string {
  return hostname()
}
