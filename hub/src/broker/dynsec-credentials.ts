/**
 * Device credentials on an external Mosquitto through its dynamic security plugin
 * (`VIGIL_MQTT_CREDENTIALS=mosquitto-dynsec`). The hub, as a dynsec admin, keeps these objects:
 *
 *   role  vigil-hub            the hub's own MQTT user: reads every device topic through its shared
 *                              subscription, writes commands and fleet messages
 *   role  vigil-device         every device: reads the fleet topics (through the group below)
 *   group vigil-devices        every device client, with the role vigil-device
 *   role  vigil-device-<id>    one device: writes only under vigil/v1/dev/<id>/, reads its commands
 *   client <id>                one device: username = device id, the password handed out at enrollment
 *
 * Mosquitto 2.0's dynsec plugin has no `%u`/`%c` substitution in ACL topics (2.0.11's acl.c matches
 * them literally), so each device has its own role. The shared objects are made idempotently at start:
 * a role is rewritten only when its ACLs differ (a role change disconnects every client holding it).
 */
import { DEVICE_MESSAGE_KINDS, TOPIC_ROOT, topics } from '@vigil/protocol'
import { HubError } from '../errors.js'
import { type DynsecCommand, type DynsecControl, DynsecError, type DynsecResponse } from './dynsec.js'

export const HUB_ROLE = 'vigil-hub'
export const DEVICE_ROLE = 'vigil-device'
export const DEVICE_GROUP = 'vigil-devices'
export const deviceRole = (deviceId: string) => `vigil-device-${deviceId}`

export interface DynsecAcl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern'
  topic: string
  allow: boolean
  priority?: number
}

const allow = (acltype: DynsecAcl['acltype'], topic: string): DynsecAcl => ({ acltype, topic, allow: true })

export function hubAcls(shareGroup: string): DynsecAcl[] {
  return [
    allow('subscribePattern', topics.sharedAllDevices(shareGroup)),
    allow('publishClientReceive', topics.allDevices()),
    allow('publishClientSend', `${TOPIC_ROOT}/dev/+/cmd/req`),
    allow('publishClientSend', `${TOPIC_ROOT}/fleet/#`),
  ]
}

export function fleetAcls(): DynsecAcl[] {
  return [
    allow('subscribePattern', `${TOPIC_ROOT}/fleet/#`),
    allow('publishClientReceive', `${TOPIC_ROOT}/fleet/#`),
  ]
}

export function deviceAcls(deviceId: string): DynsecAcl[] {
  return [
    ...DEVICE_MESSAGE_KINDS.map((kind) => allow('publishClientSend', topics.device(deviceId, kind))),
    allow('subscribeLiteral', topics.command(deviceId)),
    allow('publishClientReceive', topics.command(deviceId)),
  ]
}

/** How the hub changes device credentials on the broker (one implementation: Mosquitto dynsec). */
export interface BrokerCredentials {
  readonly kind: 'mosquitto-dynsec'
  /** Creates the device's broker client (and its role); nothing is left behind if it fails. */
  create(deviceId: string, password: string, name?: string): Promise<void>
  setPassword(deviceId: string, password: string): Promise<void>
  /** Disabling also disconnects the device (the plugin kicks clients of a disabled user). */
  setEnabled(deviceId: string, enabled: boolean): Promise<void>
  /** Deletes the client and its role (and disconnects it); a client the broker does not know is fine. */
  remove(deviceId: string): Promise<void>
  close(): Promise<void>
}

const aclKey = (a: DynsecAcl) => `${a.acltype}\u0000${a.topic}\u0000${a.allow}\u0000${a.priority ?? 0}`
const sameAcls = (a: DynsecAcl[], b: DynsecAcl[]) => {
  const x = a.map(aclKey).sort()
  const y = b.map(aclKey).sort()
  return x.length === y.length && x.every((k, i) => k === y[i])
}
const is = (error: string) => (r: DynsecResponse) => r.error === error

/** Makes `role` exist with exactly `acls`; changes nothing when it already does. */
async function ensureRole(control: DynsecControl, rolename: string, acls: DynsecAcl[]): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [got] = await control.run([{ command: 'getRole', rolename }], is('Role not found'))
    if (got?.error === 'Role not found') {
      // Another hub starting at the same time may create it first: then compare again.
      const [created] = await control.run(
        [{ command: 'createRole', rolename, acls }],
        is('Role already exists'),
      )
      if (!created?.error) return
      continue
    }
    const role = got?.data?.role as { acls?: DynsecAcl[] } | undefined
    if (sameAcls(role?.acls ?? [], acls)) return
    await control.run([{ command: 'modifyRole', rolename, acls }])
    return
  }
  throw new DynsecError('createRole', 'refused', `could not settle the dynsec role ${rolename}`)
}

export interface DynsecSetup {
  hubUsername: string
  hubPassword: string
  shareGroup: string
}

/**
 * Idempotent start-up: the hub role, the device role and group, and the hub's own client (created with
 * the configured password if missing; given the hub role if it lacks it). Safe for several hubs at once.
 */
export async function setupDynsec(control: DynsecControl, s: DynsecSetup): Promise<void> {
  await ensureRole(control, HUB_ROLE, hubAcls(s.shareGroup))
  await ensureRole(control, DEVICE_ROLE, fleetAcls())
  await control.run(
    [{ command: 'createGroup', groupname: DEVICE_GROUP, roles: [{ rolename: DEVICE_ROLE }] }],
    is('Group already exists'),
  )
  const [group] = await control.run([{ command: 'getGroup', groupname: DEVICE_GROUP }])
  const groupRoles = (group?.data?.group as { roles?: { rolename: string }[] } | undefined)?.roles ?? []
  if (!groupRoles.some((r) => r.rolename === DEVICE_ROLE)) {
    await control.run([{ command: 'addGroupRole', groupname: DEVICE_GROUP, rolename: DEVICE_ROLE }])
  }
  const [hub] = await control.run([{ command: 'getClient', username: s.hubUsername }], is('Client not found'))
  if (hub?.error === 'Client not found') {
    await control.run(
      [
        {
          command: 'createClient',
          username: s.hubUsername,
          password: s.hubPassword,
          textname: 'Vigil hub',
          roles: [{ rolename: HUB_ROLE }],
        },
      ],
      is('Client already exists'),
    )
  }
  const [again] = await control.run([{ command: 'getClient', username: s.hubUsername }])
  const client = again?.data?.client as { roles?: { rolename: string }[]; disabled?: boolean } | undefined
  if (!client?.roles?.some((r) => r.rolename === HUB_ROLE)) {
    await control.run([{ command: 'addClientRole', username: s.hubUsername, rolename: HUB_ROLE }])
  }
}

/** A failed broker change, as the HTTP API answers it (502, nothing changed on the hub). */
async function brokerChange<T>(what: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change()
  } catch (err) {
    if (err instanceof DynsecError) throw new HubError('VIGIL_BROKER_FAILED', `${what}: ${err.message}`)
    throw err
  }
}

export function dynsecCredentials(control: DynsecControl): BrokerCredentials {
  const notFound = is('Client not found')
  const create = async (deviceId: string, password: string, name?: string) => {
    const rolename = deviceRole(deviceId)
    const commands: DynsecCommand[] = [
      { command: 'createRole', rolename, acls: deviceAcls(deviceId) },
      {
        command: 'createClient',
        username: deviceId,
        password,
        ...(name ? { textname: name } : {}),
        roles: [{ rolename }],
        groups: [{ groupname: DEVICE_GROUP }],
      },
    ]
    const undo: DynsecCommand[] = [
      { command: 'deleteClient', username: deviceId },
      { command: 'deleteRole', rolename },
    ]
    let responses: DynsecResponse[]
    try {
      responses = await control.send(commands)
    } catch (err) {
      // Not answered: whatever the broker did is undone if it can be (best effort; ids are never reused).
      await control.send(undo).catch(() => {})
      throw err
    }
    const failed = responses.find((r) => r.error !== undefined)
    if (failed) {
      // Undo exactly what succeeded: the client if it was created, the role if it was.
      const made = undo.filter((_, i) => (i === 0 ? responses[1] : responses[0])?.error === undefined)
      if (made.length > 0) await control.send(made).catch(() => {})
      throw new DynsecError(
        failed.command,
        'refused',
        `the broker's dynamic security plugin refused ${failed.command}: ${failed.error}`,
      )
    }
  }
  return {
    kind: 'mosquitto-dynsec',
    create: (deviceId, password, name) =>
      brokerChange('the device could not be created on the broker', () => create(deviceId, password, name)),
    setPassword: (deviceId, password) =>
      brokerChange('the device password could not be changed on the broker', async () => {
        await control.run([{ command: 'setClientPassword', username: deviceId, password }])
      }),
    setEnabled: (deviceId, enabled) =>
      brokerChange(`the device could not be ${enabled ? 'enabled' : 'disabled'} on the broker`, async () => {
        // Disabling credentials the broker does not have leaves nothing to cut off.
        await control.run(
          [{ command: enabled ? 'enableClient' : 'disableClient', username: deviceId }],
          enabled ? undefined : notFound,
        )
      }),
    remove: (deviceId) =>
      brokerChange('the device could not be deleted on the broker', async () => {
        await control.run(
          [
            { command: 'deleteClient', username: deviceId },
            { command: 'deleteRole', rolename: deviceRole(deviceId) },
          ],
          (r) => r.error === 'Client not found' || r.error === 'Role not found',
        )
      }),
    close: () => control.close(),
  }
}
