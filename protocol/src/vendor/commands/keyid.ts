import { keyIdFromPem } from '../../signing/keys.js'
import { one, parse } from '../args.js'
import { type Command, EXIT, readText, UsageError } from '../io.js'

export const keyid: Command = {
  summary: 'print the keyid of a public or private key PEM',
  usage: `vigil-vendor keyid <key.pem>

Prints the keyid (lowercase hex SHA-256 of the DER SubjectPublicKeyInfo), the same as
\`openssl pkey -pubin -in key.pub.pem -outform DER | sha256sum\`.`,
  async run(args, io) {
    const file = one(parse(args, {}), 'key file')
    try {
      io.out(keyIdFromPem(readText(file, 'key')))
    } catch (err) {
      if (err instanceof UsageError) throw err
      throw new UsageError(`${file}: ${(err as Error).message}`)
    }
    return EXIT.ok
  },
}
