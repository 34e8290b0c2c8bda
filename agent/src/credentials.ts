/**
 * The device credentials written at enrollment: `<stateDir>/credentials.json`, mode 0600.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Credentials } from './schemas/credentials.js'
import { validators } from './schemas/validators.js'

export type { Credentials }

export class CredentialsError extends Error {
  constructor(
    readonly code: 'VIGIL_AGENT_NOT_ENROLLED' | 'VIGIL_AGENT_BAD_CREDENTIALS',
    message: string,
  ) {
    super(message)
  }
}

export const credentialsPath = (stateDir: string) => join(stateDir, 'credentials.json')

export async function readCredentials(stateDir: string): Promise<Credentials> {
  const file = credentialsPath(stateDir)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CredentialsError(
        'VIGIL_AGENT_NOT_ENROLLED',
        `not enrolled: ${file} does not exist (run "vigil-agent enroll --hub <url> --token=<token>")`,
      )
    }
    throw new CredentialsError(
      'VIGIL_AGENT_BAD_CREDENTIALS',
      `cannot read ${file}: ${(err as Error).message}`,
    )
  }
  const parsed = validators.credentials.parse(text)
  if (!parsed.ok) throw new CredentialsError('VIGIL_AGENT_BAD_CREDENTIALS', `${file}: ${parsed.message}`)
  return parsed.value
}

export async function writeCredentials(stateDir: string, creds: Credentials): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  const file = credentialsPath(stateDir)
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 })
  await chmod(tmp, 0o600)
  await rename(tmp, file)
  return file
}
