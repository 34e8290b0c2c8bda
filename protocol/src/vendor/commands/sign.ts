import { writeFileSync } from 'node:fs'
import { manifestErrors, manifestValidator, signManifest } from '../../signing/manifest.js'
import { list, one, parse, str } from '../args.js'
import { type Command, EXIT, readText, UsageError } from '../io.js'

export const sign: Command = {
  summary: 'validate a manifest and sign it into a DSSE envelope',
  usage: `vigil-vendor sign <manifest.json> --key <private.pem> [--key <private.pem> …] [--out <envelope.json>]

Checks the manifest against the Vigil manifest schema (every problem is listed, nothing is signed
if there is one), then signs it with each distinct key (Ed25519 over the DSSE pre-authentication
encoding). The envelope goes to --out or stdout. Exit 0 signed, 1 invalid manifest, 2 usage/IO.`,
  async run(args, io) {
    const p = parse(args, { key: { type: 'string', multiple: true }, out: { type: 'string' } })
    const file = one(p, 'manifest file')
    const keys = list(p, 'key')
    if (keys.length === 0) throw new UsageError('at least one --key <private.pem> is needed')
    let manifest: unknown
    try {
      manifest = JSON.parse(readText(file, 'manifest'))
    } catch (err) {
      if (err instanceof UsageError) throw err
      io.err(`${file}: not valid JSON: ${(err as Error).message}`)
      return EXIT.refused
    }
    if (!manifestValidator.check(manifest)) {
      const errors = manifestErrors(manifest)
      io.err(`${file}: ${errors.length} problem(s), nothing signed:`)
      for (const e of errors) io.err(`  ${e}`)
      return EXIT.refused
    }
    if (Date.parse(manifest.expiresAt) <= Date.now()) {
      io.err(`${file}: /expiresAt ${manifest.expiresAt} is already past, nothing signed`)
      return EXIT.refused
    }
    if (Date.parse(manifest.releasedAt) > Date.now()) {
      io.err(`warning: /releasedAt ${manifest.releasedAt} is in the future; hubs refuse it until then`)
    }
    const pems = keys.map((k) => readText(k, 'private key'))
    let envelope: ReturnType<typeof signManifest>
    try {
      envelope = signManifest(manifest, pems)
    } catch (err) {
      io.err(`cannot sign: ${(err as Error).message}`)
      return EXIT.usage
    }
    const text = `${JSON.stringify(envelope, null, 2)}\n`
    const out = str(p, 'out')
    if (out === undefined) io.out(text.trimEnd())
    else writeFileSync(out, text)
    for (const s of envelope.signatures) io.err(`signed by ${s.keyid}`)
    if (out !== undefined) io.err(`envelope: ${out}`)
    return EXIT.ok
  },
}
