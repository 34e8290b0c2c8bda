import { readFileSync } from 'node:fs'
import mqtt from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { selfSignedCertificate } from '../certificates.ts'
import { enroll, testHub } from '../helpers.ts'

describe('MQTT over TLS', () => {
  it('listens with TLS when a certificate is configured and admits only enrolled devices there too', async () => {
    const { cert, key } = await selfSignedCertificate()
    const hub = await testHub({ tlsCert: cert, tlsKey: key, mqttTlsPort: 0 })
    const port = hub.app.hub.bus?.ports().mqtts
    expect(port).toBeGreaterThan(0)
    const dev = await enroll(hub)
    const connect = (password: string) => {
      const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
        ca: readFileSync(cert),
        clientId: dev.deviceId,
        username: dev.deviceId,
        password,
        reconnectPeriod: 0,
      })
      onTestFinished(() => {
        client.end(true)
      })
      return new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve())
        client.once('error', reject)
      })
    }
    await expect(connect('wrong')).rejects.toThrow(/Bad username or password/)
    await expect(connect(dev.mqtt.password)).resolves.toBeUndefined()
  })
})
