import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { enroll, metric, testHub, until } from '../helpers.ts'
import { hasMosquitto } from '../mosquitto.ts'

const run = promisify(execFile)

describe.skipIf(!hasMosquitto)("Debian's mosquitto_pub against the embedded broker", () => {
  it('cannot connect without credentials, with a wrong password, or as another device', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const port = new URL(hub.mqttUrl).port
    const base = ['-h', '127.0.0.1', '-p', port, '-t', topics.device(dev.deviceId, 'state'), '-m', '{}']
    const attempts = [
      base,
      [...base, '-u', dev.deviceId, '-i', dev.deviceId, '-P', 'wrong'],
      [...base, '-u', dev.deviceId, '-i', 'another-client', '-P', dev.mqtt.password],
    ]
    for (const args of attempts) {
      const err = await run('mosquitto_pub', args).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      )
      expect(err?.code).not.toBe(0)
      expect(err?.stderr).toMatch(/not authori[sz]ed|bad user name or password/i)
    }
    expect(await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'anonymous' })).toBe(1)
    expect(await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'bad-password' })).toBe(1)
    expect(await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'client-id' })).toBe(1)
    // with the device's own credentials it connects and publishes
    await run('mosquitto_pub', [
      ...base,
      '-u',
      dev.deviceId,
      '-i',
      dev.deviceId,
      '-P',
      dev.mqtt.password,
      '-q',
      '1',
    ])
    await until(
      async () =>
        (await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'schema', device: dev.deviceId })) === 1,
      'the empty state counted as a schema rejection',
    )
  })
})
