/**
 * The agent's validators as the build generates them (dist/schemas/validators.js, via
 * @vigil/protocol/precompile) must judge its files exactly like the runtime compile() of the same
 * schemas, with the same messages; and config defaults must fill in like TypeBox's Value.Default.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compile, type TSchema, type Validator } from '@vigil/protocol'
import { precompileModule } from '@vigil/protocol/precompile'
import { applyDefaults } from '@vigil/protocol/wire'
import fc from 'fast-check'
import Value from 'typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_SCHEMAS } from '../src/schemas/index.ts'

type Name = keyof typeof AGENT_SCHEMAS
const here = dirname(fileURLToPath(import.meta.url))
let dir = ''
let generated: Record<Name, Validator<TSchema>>

beforeAll(async () => {
  dir = await mkdtemp(join(here, '.precompiled-'))
  const file = join(dir, 'validators.js')
  await writeFile(file, precompileModule(AGENT_SCHEMAS, { core: '@vigil/protocol/wire' }))
  generated = (await import(file)).validators
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const hash = 'b'.repeat(64)
const pem = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n'
const trust = { vendor: 'acme', threshold: 1, sequence: 0, keys: [{ keyid: hash, publicKeyPem: pem }] }
const entry = {
  id: 'm1',
  vendor: 'acme',
  product: 'gw',
  version: '1.2.3',
  digest: hash,
  state: 'installed',
  verification: 'ok',
  keyids: [hash],
  receivedAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:00:00.000Z',
  artifacts: [{ name: 'fw.bin', path: '/var/lib/x/fw.bin', sha256: hash, size: 10 }],
}
const config = Value.Default(AGENT_SCHEMAS.agentConfig, { stateDir: '/tmp/x', manifests: { trust: [trust] } })

const SEEDS: Record<Name, unknown[]> = {
  agentConfig: [config],
  credentials: [
    {
      hubUrl: 'http://hub',
      deviceId: 'dev-1',
      mqtt: { url: 'mqtt://hub:1883', username: 'dev-1', password: 'p' },
    },
  ],
  manifestState: [
    {
      trust: [trust],
      floors: { 'acme\u0000gw': { version: '1.2.3', digest: hash, scheme: 'semver' } },
      manifests: { m1: entry },
      refused: [{ manifestId: 'm2', code: 'BAD_SIGNATURE', reason: 'no', at: '2026-11-28T10:00:00.000Z' }],
    },
  ],
  trustFile: [[trust], []],
}

type Path = (string | number)[]
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix]
  if (typeof value !== 'object' || value === null) return out
  for (const [k, v] of Object.entries(value))
    out.push(...paths(v, [...prefix, Array.isArray(value) ? Number(k) : k]))
  return out
}

function mutate(seed: unknown, path: Path, replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return remove ? undefined : replacement
  const copy = structuredClone(seed)
  let node = copy as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path[path.length - 1] as string | number
  if (!remove) node[last] = replacement
  else if (Array.isArray(node)) node.splice(Number(last), 1)
  else delete node[last]
  return copy
}

describe('precompiled agent validators', () => {
  for (const name of Object.keys(AGENT_SCHEMAS) as Name[]) {
    const runtime = compile(AGENT_SCHEMAS[name] as TSchema)
    const same = (value: unknown) => {
      expect(generated[name].check(value)).toBe(runtime.check(value))
      expect(generated[name].errors(value, 100)).toEqual(runtime.errors(value, 100))
    }
    it(`${name}: valid files pass both`, () => {
      for (const seed of SEEDS[name]) {
        expect(runtime.check(seed)).toBe(true)
        same(seed)
      }
    })
    it(`${name}: mutated files are judged alike, with the same messages`, () => {
      const seeds = SEEDS[name]
      const arb = fc
        .integer({ min: 0, max: seeds.length - 1 })
        .chain((i) =>
          fc.tuple(fc.constant(seeds[i]), fc.constantFrom(...paths(seeds[i])), fc.jsonValue(), fc.boolean()),
        )
      fc.assert(
        fc.property(arb, ([seed, path, replacement, remove]) =>
          same(mutate(seed, path, replacement, remove)),
        ),
        { numRuns: 300 },
      )
    })
  }

  it('config defaults fill in like Value.Default from the generated schema JSON', () => {
    const partial = fc.record(
      {
        stateDir: fc.string(),
        telemetryIntervalSec: fc.integer(),
        identity: fc.record({ vendor: fc.string() }, { requiredKeys: [] }),
        outbox: fc.oneof(fc.record({ maxTelemetry: fc.integer() }, { requiredKeys: [] }), fc.constant(null)),
        manifests: fc.record(
          { trust: fc.constant([trust]), hookTimeoutSec: fc.integer() },
          { requiredKeys: [] },
        ),
        logLevel: fc.constantFrom('info', 'debug', 'loud'),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(partial, (value) => {
        const expected = Value.Default(AGENT_SCHEMAS.agentConfig, structuredClone(value))
        expect(applyDefaults(generated.agentConfig.schema, structuredClone(value))).toEqual(expected)
      }),
      { numRuns: 200 },
    )
  })
})
