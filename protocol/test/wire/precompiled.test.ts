/**
 * The validators generated at build time (build/precompile.ts) must accept and reject exactly like the
 * runtime `compile()` of the same schema, with the same messages. The generated module is written
 * to a temporary folder under test/ (where `typebox` resolves) and imported as dist/wire/validators.js is.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { precompileModule } from '../../src/build/precompile.ts'
import { compile, type TSchema, type Validator } from '../../src/index.ts'
import { WIRE_SCHEMAS } from '../../src/wire/schemas.ts'
import { manifest } from '../signing/fixtures.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
type Name = keyof typeof WIRE_SCHEMAS
let dir = ''
let generated: Record<Name, Validator<TSchema>>

beforeAll(async () => {
  dir = await mkdtemp(join(root, 'test', '.precompiled-'))
  const core = join(root, 'src', 'validator-core.ts')
  const file = join(dir, 'validators.js')
  await writeFile(file, precompileModule(WIRE_SCHEMAS, { core }))
  generated = (await import(file)).validators
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const ts = '2026-11-28T10:00:00.000Z'
const hash = 'a'.repeat(64)
const baseline = {
  v: 1,
  id: 'default',
  version: 3,
  name: 'Default',
  checks: [
    { id: 'ssh-root', title: 'No root SSH', severity: 'high', kind: 'file-exists', path: '/etc/motd' },
  ],
}
const pem = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n'
const vendorTrust = { vendor: 'acme', threshold: 1, sequence: 0, keys: [{ keyid: hash, publicKeyPem: pem }] }

/** Valid (and nearly valid) messages of each kind: the seeds the mutations start from. */
const SEEDS: Record<Name, unknown[]> = {
  commandRequest: [
    { v: 1, tx: 'tx-1', cmd: 'ping' },
    { v: 1, tx: 'tx-2', cmd: 'rescan' },
    { v: 1, tx: 'tx-3', cmd: 'apply-baseline', baseline },
  ],
  hardeningBaseline: [baseline],
  enrollResponse: [{ deviceId: 'dev-1', mqtt: { url: 'mqtt://hub:1883', username: 'dev-1', password: 'x' } }],
  dsseEnvelope: [
    { payloadType: 'application/json', payload: 'e30', signatures: [{ keyid: hash, sig: 'c2ln' }] },
  ],
  manifestPayload: [manifest()],
  keyRotationPayload: [
    { vendor: 'acme', sequence: 1, issuedAt: ts, threshold: 1, keys: [{ keyid: hash, publicKeyPem: pem }] },
  ],
  vendorTrust: [vendorTrust],
  rolloutState: ['installed', 'pending', 'nope'],
  rootPayload: [
    {
      type: 'vigil-root',
      version: 1,
      keys: [{ keyid: hash, publicKeyPem: pem }],
      threshold: 1,
      issuedAt: ts,
      expires: ts,
    },
  ],
  delegationPayload: [
    {
      type: 'vigil-delegation',
      vendor: 'acme',
      vendorId: 'acme',
      version: 2,
      keys: [{ keyid: hash, publicKeyPem: pem }],
      threshold: 1,
      revoked: [hash],
      rotations: [
        { payloadType: 'application/json', payload: 'e30', signatures: [{ keyid: hash, sig: 'c2ln' }] },
      ],
      issuedAt: ts,
      expires: ts,
    },
  ],
}

type Path = (string | number)[]
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix]
  if (typeof value !== 'object' || value === null) return out
  for (const [k, v] of Object.entries(value))
    out.push(...paths(v, [...prefix, Array.isArray(value) ? Number(k) : k]))
  return out
}

type Mutation =
  | { kind: 'set'; value: unknown }
  | { kind: 'delete' }
  | { kind: 'extra'; key: string; value: unknown }
function mutate(seed: unknown, path: Path, m: Mutation): unknown {
  const copy = structuredClone(seed)
  if (path.length === 0) return m.kind === 'set' ? m.value : copy
  let node = copy as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path[path.length - 1] as string | number
  if (m.kind === 'set') node[last] = m.value
  else if (m.kind === 'delete') {
    if (Array.isArray(node)) node.splice(Number(last), 1)
    else delete node[last]
  } else {
    const target = node[last]
    if (typeof target === 'object' && target !== null && !Array.isArray(target))
      (target as Record<string, unknown>)[m.key] = m.value
  }
  return copy
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), value: fc.jsonValue() }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({ kind: fc.constant('extra' as const), key: fc.string(), value: fc.jsonValue() }),
)

describe('precompiled validators', () => {
  const names = Object.keys(WIRE_SCHEMAS) as Name[]
  for (const name of names) {
    const runtime = compile(WIRE_SCHEMAS[name] as TSchema)
    const same = (value: unknown) => {
      const pre = generated[name]
      expect(pre.check(value)).toBe(runtime.check(value))
      expect(pre.errors(value, 100)).toEqual(runtime.errors(value, 100))
      expect(pre.validate(value)).toEqual(runtime.validate(value))
    }

    it(`${name}: the seeds are judged alike (and the valid ones pass)`, () => {
      for (const seed of SEEDS[name]) same(seed)
      expect(SEEDS[name].some((s) => runtime.check(s))).toBe(true)
    })

    it(`${name}: mutated messages are judged alike, with the same messages`, () => {
      const seeds = SEEDS[name]
      const arb = fc
        .integer({ min: 0, max: seeds.length - 1 })
        .chain((i) => fc.tuple(fc.constant(seeds[i]), fc.constantFrom(...paths(seeds[i])), mutation))
      fc.assert(
        fc.property(arb, ([seed, path, m]) => same(mutate(seed, path, m))),
        { numRuns: 300 },
      )
    })

    it(`${name}: arbitrary JSON is judged alike`, () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => same(value)),
        { numRuns: 100 },
      )
    })
  }

  it('parse: JSON, size and schema failures read as from compile()', () => {
    const pre = generated.commandRequest
    const runtime = compile(WIRE_SCHEMAS.commandRequest)
    for (const input of ['{', '{"v":1,"tx":"a","cmd":"ping"}', '{"v":1,"tx":"a b","cmd":"ping"}', '[]']) {
      expect(pre.parse(input, 1000)).toEqual(runtime.parse(input, 1000))
    }
    expect(pre.parse('{"v":1}', 3)).toEqual(runtime.parse('{"v":1}', 3))
    const bad = pre.validate({ v: 1, tx: 'a b', cmd: 'ping' })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.message).toContain('/tx')
  })

  it('emits schema JSON without TypeBox-only markers (a plain JSON Schema)', () => {
    expect(JSON.parse(JSON.stringify(generated.vendorTrust.schema))).toEqual(generated.vendorTrust.schema)
  })
})
