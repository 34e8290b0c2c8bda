/** File checks: exists/absent, mode and owner, pinned SHA-256, content patterns. */
import { createHash } from 'node:crypto'
import type { HardeningCheck } from '@vigil/protocol'
import { type CheckEnv, type CheckOutcome, fsReason, unreadable } from '../env.js'
import { nameOf, parseGroup, parsePasswd } from './accounts.js'

type Of<K extends HardeningCheck['kind']> = Extract<HardeningCheck, { kind: K }>

const octal = (n: number) => `0${n.toString(8).padStart(3, '0')}`

export async function fileExists(c: Of<'file-exists'>, env: CheckEnv): Promise<CheckOutcome> {
  try {
    await env.stat(c.path)
    return { status: 'pass', evidence: `${c.path} exists` }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { status: 'fail', evidence: `${c.path} does not exist` }
    return { status: 'error', evidence: `${c.path}: ${fsReason(err)}` }
  }
}

export async function fileAbsent(c: Of<'file-absent'>, env: CheckEnv): Promise<CheckOutcome> {
  try {
    await env.stat(c.path)
    return { status: 'fail', evidence: `${c.path} exists` }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { status: 'pass', evidence: `${c.path} is absent` }
    return { status: 'error', evidence: `${c.path}: ${fsReason(err)}` }
  }
}

async function idName(env: CheckEnv, file: string, id: number): Promise<string> {
  try {
    const entries =
      file === '/etc/passwd' ? parsePasswd(await env.readText(file)) : parseGroup(await env.readText(file))
    return nameOf(entries, id) ?? String(id)
  } catch {
    return String(id)
  }
}

export async function fileMode(c: Of<'file-mode'>, env: CheckEnv): Promise<CheckOutcome> {
  let s: Awaited<ReturnType<CheckEnv['stat']>>
  try {
    s = await env.stat(c.path)
  } catch (err) {
    return unreadable(c.path, err)
  }
  const owner = await idName(env, '/etc/passwd', s.uid)
  const group = await idName(env, '/etc/group', s.gid)
  const found = `${c.path} is ${octal(s.mode)} ${owner}:${group}`
  const problems: string[] = []
  if (c.maxMode !== undefined) {
    const max = Number.parseInt(c.maxMode, 8)
    const extra = s.mode & ~max
    if (extra !== 0) problems.push(`permissions beyond ${octal(max)} (${octal(extra)})`)
  }
  if (c.owner !== undefined && c.owner !== owner) problems.push(`owner should be ${c.owner}`)
  if (c.group !== undefined && c.group !== group) problems.push(`group should be ${c.group}`)
  return problems.length === 0
    ? { status: 'pass', evidence: found }
    : { status: 'fail', evidence: `${found}: ${problems.join(', ')}` }
}

export async function fileHash(c: Of<'file-hash'>, env: CheckEnv): Promise<CheckOutcome> {
  let bytes: Buffer
  try {
    bytes = await env.readBytes(c.path)
  } catch (err) {
    return { status: 'error', evidence: `${c.path}: ${fsReason(err)}` }
  }
  const sha = createHash('sha256').update(bytes).digest('hex')
  if (c.sha256 === undefined) return { status: 'pass', evidence: `sha256=${sha}` }
  return sha === c.sha256
    ? { status: 'pass', evidence: `sha256=${sha}` }
    : { status: 'fail', evidence: `sha256=${sha}, pinned ${c.sha256}` }
}

export async function fileContent(c: Of<'file-content'>, env: CheckEnv): Promise<CheckOutcome> {
  let text: string
  try {
    text = await env.readText(c.path)
  } catch (err) {
    return { status: 'error', evidence: `${c.path}: ${fsReason(err)}` }
  }
  let must: RegExp | undefined
  let mustNot: RegExp | undefined
  try {
    must = c.mustMatch ? new RegExp(c.mustMatch, 'm') : undefined
    mustNot = c.mustNotMatch ? new RegExp(c.mustNotMatch, 'm') : undefined
  } catch (err) {
    return { status: 'error', evidence: `invalid pattern: ${(err as Error).message}` }
  }
  if (must && !must.test(text))
    return { status: 'fail', evidence: `${c.path} has no line matching /${c.mustMatch}/` }
  const bad = mustNot?.exec(text)
  if (bad) return { status: 'fail', evidence: `${c.path} contains ${JSON.stringify(bad[0].slice(0, 200))}` }
  return { status: 'pass', evidence: `${c.path} content as required` }
}
