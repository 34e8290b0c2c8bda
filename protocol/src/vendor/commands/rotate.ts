import { writeFileSync } from 'node:fs'
import { keyIdFromKey, parseEd25519PublicKeyPem, publicKeyPem } from '../../signing/keys.js'
import { signKeyRotation } from '../../signing/rotation.js'
import { list, parse, positiveInt, str } from '../args.js'
import { type Command, EXIT, readText, UsageError } from '../io.js'

export const rotate: Command = {
  summary: 'sign a key rotation statement with the current keys',
  usage: `vigil-vendor rotate --vendor <name> --sequence <n> --new-pub <public.pem> [--new-pub …]
                    [--threshold <k>] --key <current private.pem> [--key …] [--out <rotation.json>]

Agents trust a new vendor key only through a statement signed by the threshold of the vendor's
CURRENT keys. This writes that statement (a DSSE envelope of payloadType
application/vnd.vigil.key-rotation+json;version=1): the complete new key set (--new-pub, keep the
current keys you still want), its threshold (default 1) and a sequence number greater than the
last rotation's (the first rotation is 1).`,
  async run(args, io) {
    const p = parse(args, {
      vendor: { type: 'string' },
      sequence: { type: 'string' },
      'new-pub': { type: 'string', multiple: true },
      threshold: { type: 'string' },
      key: { type: 'string', multiple: true },
      out: { type: 'string' },
    })
    if (p.positionals.length > 0) throw new UsageError(`unexpected argument ${p.positionals[0]}`)
    const vendor = str(p, 'vendor')
    if (vendor === undefined) throw new UsageError('--vendor <name> is needed')
    const sequenceText = str(p, 'sequence')
    if (sequenceText === undefined) throw new UsageError('--sequence <n> is needed')
    const sequence = positiveInt(sequenceText, 'sequence', 1)
    const threshold = positiveInt(str(p, 'threshold'), 'threshold', 1)
    const pubs = list(p, 'new-pub')
    const keys = list(p, 'key')
    if (pubs.length === 0) throw new UsageError('at least one --new-pub <public.pem> is needed')
    if (keys.length === 0) throw new UsageError('at least one --key <current private.pem> is needed')
    const newKeys = pubs.map((path) => {
      try {
        const key = parseEd25519PublicKeyPem(readText(path, 'public key'))
        return { keyid: keyIdFromKey(key), publicKeyPem: publicKeyPem(key) }
      } catch (err) {
        throw err instanceof UsageError ? err : new UsageError(`${path}: ${(err as Error).message}`)
      }
    })
    const payload = { vendor, keys: newKeys, threshold, issuedAt: new Date().toISOString(), sequence }
    let envelope: ReturnType<typeof signKeyRotation>
    try {
      envelope = signKeyRotation(
        payload,
        keys.map((k) => readText(k, 'private key')),
      )
    } catch (err) {
      if (err instanceof UsageError) throw err
      io.err(`nothing signed: ${(err as Error).message}`)
      return EXIT.refused
    }
    const text = `${JSON.stringify(envelope, null, 2)}\n`
    const out = str(p, 'out')
    if (out === undefined) io.out(text.trimEnd())
    else writeFileSync(out, text)
    for (const s of envelope.signatures) io.err(`signed by ${s.keyid}`)
    return EXIT.ok
  },
}
