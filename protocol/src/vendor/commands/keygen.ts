import { writeFileSync } from 'node:fs'
import { generateKeyPair } from '../../signing/keys.js'
import { parse, str } from '../args.js'
import { type Command, EXIT, UsageError } from '../io.js'

export const keygen: Command = {
  summary: 'create an Ed25519 signing key pair',
  usage: `vigil-vendor keygen [--out <prefix>] [--force]

Writes <prefix>.pem (private key, PKCS#8 PEM, mode 0600 — keep it offline) and <prefix>.pub.pem
(public key, SPKI PEM — register it with the hub), then prints the keyid (hex SHA-256 of the DER
public key) on stdout. The default prefix is "vendor-key". Existing files are never overwritten
unless --force is given.`,
  async run(args, io) {
    const p = parse(args, { out: { type: 'string' }, force: { type: 'boolean' } })
    if (p.positionals.length > 0) throw new UsageError(`unexpected argument ${p.positionals[0]}`)
    const prefix = str(p, 'out') ?? 'vendor-key'
    const flag = p.values.force === true ? 'w' : 'wx'
    const pair = generateKeyPair()
    const privatePath = `${prefix}.pem`
    const publicPath = `${prefix}.pub.pem`
    try {
      writeFileSync(privatePath, pair.privateKeyPem, { mode: 0o600, flag })
      writeFileSync(publicPath, pair.publicKeyPem, { mode: 0o644, flag })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new UsageError(
        code === 'EEXIST'
          ? `${prefix}.pem or .pub.pem already exists (use --force to replace)`
          : `cannot write: ${code}`,
      )
    }
    io.err(`private key: ${privatePath} (mode 0600, keep it secret)`)
    io.err(`public key:  ${publicPath}`)
    io.out(pair.keyid)
    return EXIT.ok
  },
}
