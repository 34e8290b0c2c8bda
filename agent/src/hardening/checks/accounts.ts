/** Account checks (UID 0, empty passwords) and the passwd/group/shadow parsers they share. Pure parsers. */
import type { HardeningCheck } from '@vigil/protocol'
import { type CheckEnv, type CheckOutcome, fsReason } from '../env.js'

type Of<K extends HardeningCheck['kind']> = Extract<HardeningCheck, { kind: K }>

export interface IdEntry {
  name: string
  id: number
}

function parseColonFile(text: string, idField: number): IdEntry[] {
  const out: IdEntry[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue
    const f = line.split(':')
    const id = Number(f[idField])
    if (f[0] && Number.isInteger(id)) out.push({ name: f[0], id })
  }
  return out
}

export const parsePasswd = (text: string) => parseColonFile(text, 2)
export const parseGroup = (text: string) => parseColonFile(text, 2)
export const nameOf = (entries: IdEntry[], id: number) => entries.find((e) => e.id === id)?.name

/** Accounts whose shadow password field is empty (anyone may log in without a password). */
export function emptyPasswordAccounts(shadow: string): string[] {
  return shadow
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 2 && f[0] && f[1] === '')
    .map((f) => f[0] as string)
}

export async function uid0Accounts(c: Of<'uid0-accounts'>, env: CheckEnv): Promise<CheckOutcome> {
  let text: string
  try {
    text = await env.readText('/etc/passwd')
  } catch (err) {
    return { status: 'error', evidence: `/etc/passwd: ${fsReason(err)}` }
  }
  const uid0 = parsePasswd(text)
    .filter((e) => e.id === 0)
    .map((e) => e.name)
  const extra = uid0.filter((n) => !c.allow.includes(n))
  return extra.length === 0
    ? { status: 'pass', evidence: `UID 0: ${uid0.join(', ') || 'none'}` }
    : { status: 'fail', evidence: `UID 0 accounts not allowed: ${extra.join(', ')}` }
}

export async function emptyPasswords(_c: Of<'empty-passwords'>, env: CheckEnv): Promise<CheckOutcome> {
  let text: string
  try {
    text = await env.readText('/etc/shadow')
  } catch (err) {
    return {
      status: 'error',
      evidence: `/etc/shadow: ${fsReason(err)} (run the agent as root to check this)`,
    }
  }
  const empty = emptyPasswordAccounts(text)
  return empty.length === 0
    ? { status: 'pass', evidence: 'no account has an empty password' }
    : { status: 'fail', evidence: `accounts with an empty password: ${empty.join(', ')}` }
}
