/**
 * Device identity: hardware facts (DMI in /sys, else the device tree; systeminformation where neither
 * exists) + configured vendor/model/serial/firmware + OS. The assembly is pure (`buildIdentity`);
 * `collectHardware` is the impure edge, run at start and on rescan.
 */
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import type { DeviceIdentity, OsRelease } from '@vigil/protocol'
import type { AgentConfig } from '../schemas/agent-config.js'

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
  const cpe = clean(input.identity.cpe, 512)
  const purl = clean(input.identity.purl, 512)
  if (cpe) id.cpe = cpe
  if (purl) id.purl = purl
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

/** A hardware fact as reported, or '' for firmware placeholders ("To be filled by O.E.M." …). */
function fact(value: string | undefined): string {
  const text = value?.trim() ?? ''
  const lower = text.toLowerCase()
  return lower.includes('o.e.m.') || lower.includes('default string') || lower === 'default' ? '' : text
}

async function readFact(file: string): Promise<string> {
  try {
    // device-tree strings end with NUL
    return fact((await readFile(file, 'utf8')).replace(/\0/g, ''))
  } catch {
    return ''
  }
}

const DMI = '/sys/devices/virtual/dmi/id'

/**
 * What systeminformation's `system()`/`uuid()` read on Linux without spawning dmidecode, read directly
 * (the daemon then never loads systeminformation's ~20 modules): the DMI fields in /sys (x86), else
 * the device tree's model and serial (ARM boards), and the machine id when there is no hardware UUID.
 */
export async function readLinuxHardware(root = '/'): Promise<HardwareFacts> {
  const at = (file: string) => (root === '/' ? file : `${root.replace(/\/$/, '')}${file}`)
  const [vendor, product, serial, uuid, dtModel, dtSerial, dbusId, machineId] = await Promise.all([
    readFact(at(`${DMI}/sys_vendor`)),
    readFact(at(`${DMI}/product_name`)),
    readFact(at(`${DMI}/product_serial`)),
    readFact(at(`${DMI}/product_uuid`)),
    readFact(at('/proc/device-tree/model')),
    readFact(at('/proc/device-tree/serial-number')),
    readFact(at('/var/lib/dbus/machine-id')),
    readFact(at('/etc/machine-id')),
  ])
  const facts: HardwareFacts = {}
  if (vendor) facts.manufacturer = vendor
  if (product || dtModel) facts.model = product || dtModel
  if (serial || dtSerial) facts.serial = serial || dtSerial
  const id = (uuid || dbusId || machineId).toLowerCase()
  if (id) facts.uuid = id
  return facts
}

/** systeminformation's hardware facts: the portable collector, for systems without /sys or /proc. */
export async function portableHardware(): Promise<HardwareFacts> {
  try {
    const { default: si } = await import('systeminformation')
    const [sys, uuid] = await Promise.all([si.system(), si.uuid()])
    const facts: HardwareFacts = {}
    const [manufacturer, model, serial] = [fact(sys.manufacturer), fact(sys.model), fact(sys.serial)]
    if (manufacturer) facts.manufacturer = manufacturer
    if (model) facts.model = model
    if (serial) facts.serial = serial
    const id = fact(sys.uuid) || fact(uuid.os)
    if (id) facts.uuid = id.toLowerCase()
    return facts
  } catch {
    return {}
  }
}

/** The Linux files when they say anything, else systeminformation. */
export async function collectHardware(
  root = '/',
  portable: () => Promise<HardwareFacts> = portableHardware,
): Promise<HardwareFacts> {
  const facts = await readLinuxHardware(root)
  return Object.keys(facts).length > 0 ? facts : portable()
}

export function localHostname(): string {
  return hostname()
}
