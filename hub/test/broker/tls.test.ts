import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { enroll, tempDir, testHub } from '../helpers.ts'

describe('MQTT over TLS', () => {
  it('listens with TLS when a certificate is configured and admits only enrolled devices there too', async () => {
    const dir = await tempDir()
    const cert = join(dir, 'cert.pem')
    const key = join(dir, 'key.pem')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    )
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
