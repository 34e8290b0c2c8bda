/** mqtts:// with the hub's own CA: trusted with mqttCaFile, refused with a clear TLS error without it. */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createAgent } from '../../src/agent.ts'
import { silentLogger } from '../../src/logger.ts'
import { startBroker } from '../helpers/broker.ts'
import { manualClock } from '../helpers/clock.ts'
import { tempDir, testConfig, testCredentials } from '../helpers/setup.ts'
import { until } from '../helpers/until.ts'

async function selfSigned(dir: string) {
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
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
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  )
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8'), certFile: cert }
}

// the certificate comes from Debian's openssl (present on the gateways and the CI machine)
describe.runIf(existsSync('/usr/bin/openssl'))('TLS link', () => {
  it('connects over mqtts:// trusting the configured CA, and names the TLS problem without it', async () => {
    const dir = await tempDir()
    const pki = await selfSigned(dir)
    const broker = await startBroker({
      credentials: new Map([['dev-1', 'secret-1']]),
      tls: { key: pki.key, cert: pki.cert },
    })
    onTestFinished(() => broker.close())
    expect(broker.url).toMatch(/^mqtts:/)

    const trusted = createAgent({
      config: testConfig(await tempDir(), { mqttCaFile: pki.certFile }),
      credentials: testCredentials(broker.url),
      clock: manualClock(),
      logger: silentLogger,
    })
    onTestFinished(() => trusted.stop())
    await trusted.start()
    await until(() => broker.of('state').length > 0, 'birth over TLS')
    await trusted.stop()

    const untrusted = createAgent({
      config: testConfig(await tempDir()),
      credentials: testCredentials(broker.url),
      clock: manualClock(),
      logger: silentLogger,
    })
    onTestFinished(() => untrusted.stop())
    await untrusted.start()
    const err = await until(() => untrusted.status().lastError, 'TLS error')
    expect(err).toMatchObject({ code: 'TLS', message: expect.stringMatching(/not trusted.*mqttCaFile/) })
  })
})
