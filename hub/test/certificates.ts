/**
 * A throwaway self-signed EC certificate for 127.0.0.1 (openssl), for tests of the hub's HTTPS and
 * MQTT-over-TLS listeners. The directory is removed when the test ends (`tempDir`).
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { tempDir } from './helpers.ts'

export async function selfSignedCertificate(): Promise<{ cert: string; key: string }> {
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
  return { cert, key }
}
