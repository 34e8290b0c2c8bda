import { MAX_ENVELOPE_BYTES } from '../../signing/envelope.js'
import { fail } from '../../signing/errors.js'
import { keyIdFromPem, parseEd25519PublicKeyPem, publicKeyPem } from '../../signing/keys.js'
import { verifyManifest } from '../../signing/manifest.js'
import { list, one, parse, positiveInt, str } from '../args.js'
import { type Command, EXIT, readText, readTextUpTo, UsageError } from '../io.js'

export const verify: Command = {
  summary: 'verify a signed manifest envelope against public keys',
  usage: `vigil-vendor verify <envelope.json> --pub <public.pem> [--pub <public.pem> …] [--threshold <k>] [--json]

Runs the same checks as the hub and the agents: envelope shape and size, payloadType, signatures
by at least k distinct keys among --pub (default k = 1), manifest schema, expiry and release time.
Exit 0 valid, 1 refused (the reason code is printed), 2 usage/IO.`,
  async run(args, io) {
    const p = parse(args, {
      pub: { type: 'string', multiple: true },
      threshold: { type: 'string' },
      json: { type: 'boolean' },
    })
    const file = one(p, 'envelope file')
    const pubs = list(p, 'pub')
    if (pubs.length === 0) throw new UsageError('at least one --pub <public.pem> is needed')
    const threshold = positiveInt(str(p, 'threshold'), 'threshold', 1)
    const trustedKeys = pubs.map((path) => {
      const pem = readText(path, 'public key')
      try {
        const key = parseEd25519PublicKeyPem(pem)
        return { keyid: keyIdFromPem(pem), publicKeyPem: publicKeyPem(key) }
      } catch (err) {
        throw new UsageError(`${path}: ${(err as Error).message}`)
      }
    })
    const text = readTextUpTo(file, 'envelope', MAX_ENVELOPE_BYTES)
    const result =
      text === undefined
        ? fail('OVERSIZE', `${file} is larger than ${MAX_ENVELOPE_BYTES} bytes`)
        : verifyManifest(text, { trustedKeys, threshold })
    if (p.values.json === true) {
      io.out(
        JSON.stringify(
          result.ok
            ? {
                ok: true,
                id: result.id,
                digest: result.digest,
                keyids: result.keyids,
                payload: result.payload,
              }
            : { ok: false, code: result.code, message: result.message },
        ),
      )
    } else if (result.ok) {
      const m = result.payload
      io.out(`OK ${m.vendor} ${m.product} ${m.version} (manifest ${result.id})`)
      for (const k of result.keyids) io.out(`  signed by ${k}`)
    } else {
      io.err(`REFUSED ${result.code}: ${result.message}`)
    }
    return result.ok ? EXIT.ok : EXIT.refused
  },
}
