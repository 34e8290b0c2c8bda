/**
 * `vigil-hub feeds list|add|sync|export|import` and `vigil-hub import` against a running hub. Both go
 * through the hub's API (the hub owns its store; a second process writing it would be lost or lose
 * the hub's writes), so what they report is what the hub shows.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  type AdvisoryFilesResult,
  API_PREFIX,
  type BundleResult,
  type FeedKind,
  type FeedList,
  type FeedView,
} from '@vigil/protocol'
import type { HubConfig } from '../config.js'
import { UsageError } from '../errors.js'
import { HubClient, hubAnswers, hubUrl } from './client.js'

export const FEEDS_HELP = `Usage: vigil-hub feeds <command> [options]

Commands (against the running hub's API):
  list                                   every feed: state, last sync, counts, refused, next run
  add --kind K --url U [--name N] [--ecosystems Debian,Alpine] [--interval MIN] [--disabled]
                                         K: csaf-provider | csaf-aggregator | osv | kev | epss
                                         [--providers URL,URL] (aggregator: the providers or mirrors to sync)
  enable|disable <id>                    switch a feed (presets are off until enabled)
  sync <id> [--wait]                     sync now (--wait: until it ends, then show the result)
  export FILE [--feed ID]…               write an offline bundle (default: the enabled feeds)
  import FILE                            apply an offline bundle (signatures checked again)

Options: --hub URL (default VIGIL_HUB_URL or http://VIGIL_HTTP_HOST:VIGIL_HTTP_PORT),
--token=T (or VIGIL_TOKEN), --user NAME (admin) with VIGIL_PASSWORD or VIGIL_ADMIN_PASSWORD.`

export interface CliIo {
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  env?: Record<string, string | undefined>
}

const OPTIONS = {
  hub: { type: 'string' },
  token: { type: 'string' },
  user: { type: 'string' },
  kind: { type: 'string' },
  url: { type: 'string' },
  name: { type: 'string' },
  ecosystems: { type: 'string' },
  providers: { type: 'string' },
  interval: { type: 'string' },
  disabled: { type: 'boolean' },
  wait: { type: 'boolean' },
  feed: { type: 'string', multiple: true },
} as const

function line(f: FeedView): string {
  const state = !f.enabled
    ? 'off'
    : f.running
      ? `syncing (${f.running.phase} ${f.running.done}${f.running.total ? `/${f.running.total}` : ''})`
      : f.lastSync?.ok === false
        ? 'FAILING'
        : f.lastSync
          ? 'ok'
          : 'never synced'
  const last = f.lastSync
    ? ` last ${f.lastSync.at} +${f.lastSync.added} ~${f.lastSync.updated} =${f.lastSync.unchanged}${f.lastSync.refused.length ? ` refused ${f.lastSync.refused.length}` : ''}${f.lastSync.error ? ` error: ${f.lastSync.error}` : ''}`
    : ''
  return `${f.id}  ${f.kind.padEnd(13)} ${state.padEnd(12)} ${f.name}\n    ${f.url}${f.ecosystems ? ` [${f.ecosystems.join(', ')}]` : ''}${last}${f.nextSyncAt ? `\n    next ${f.nextSyncAt}` : ''}${f.pinnedKeys?.length ? `\n    pinned OpenPGP ${f.pinnedKeys.join(', ')}` : ''}${available(f)}\n`
}

/** An aggregator's providers and mirrors, [x] where picked. */
function available(f: FeedView): string {
  const mark = (url: string) => (f.providers?.includes(url) ? '[x]' : '[ ]')
  return (f.available ?? [])
    .map(
      (p) =>
        `\n    ${mark(p.url)} ${p.name} ${p.url}${p.mirrors.map((m) => `\n        ${mark(m)} mirror ${m}`).join('')}`,
    )
    .join('')
}

async function waitSync(client: HubClient, id: string, before: string | undefined): Promise<FeedView> {
  for (;;) {
    const { feeds } = await client.json<FeedList>('GET', `${API_PREFIX}/feeds`)
    const f = feeds.find((x) => x.id === id)
    if (!f) throw new Error(`feed ${id} was removed`)
    if (!f.running && f.lastSync && f.lastSync.at !== before) return f
    await new Promise((r) => setTimeout(r, 500))
  }
}

export async function feedsCommand(argv: string[], config: HubConfig, io: CliIo = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t))
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  })
  const [cmd, arg] = positionals
  const client = new HubClient(hubUrl(config, values.hub, io.env), {
    token: values.token,
    user: values.user,
    adminPassword: config.adminPassword,
    env: io.env,
  })
  switch (cmd) {
    case 'list': {
      const { feeds } = await client.json<FeedList>('GET', `${API_PREFIX}/feeds`)
      for (const f of feeds) {
        out(line(f))
        for (const r of f.lastSync?.refused ?? []) out(`    refused ${r.url}: ${r.reason}\n`)
      }
      if (feeds.length === 0) out('no feeds\n')
      return 0
    }
    case 'add': {
      if (!values.kind || !values.url) throw new UsageError('feeds add needs --kind and --url')
      const f = await client.json<FeedView>('POST', `${API_PREFIX}/feeds`, {
        kind: values.kind as FeedKind,
        url: values.url,
        ...(values.name ? { name: values.name } : {}),
        ...(values.ecosystems ? { ecosystems: values.ecosystems.split(',').map((s) => s.trim()) } : {}),
        ...(values.providers ? { providers: values.providers.split(',').map((s) => s.trim()) } : {}),
        ...(values.interval ? { intervalMinutes: Number(values.interval) } : {}),
        ...(values.disabled ? { enabled: false } : {}),
      })
      out(line(f))
      return 0
    }
    case 'enable':
    case 'disable': {
      if (!arg) throw new UsageError(`feeds ${cmd} needs a feed id`)
      out(
        line(
          await client.json<FeedView>('PATCH', `${API_PREFIX}/feeds/${encodeURIComponent(arg)}`, {
            enabled: cmd === 'enable',
          }),
        ),
      )
      return 0
    }
    case 'sync': {
      if (!arg) throw new UsageError('feeds sync needs a feed id')
      const started = await client.json<FeedView>(
        'POST',
        `${API_PREFIX}/feeds/${encodeURIComponent(arg)}/sync`,
      )
      if (!values.wait) {
        out(`sync of ${started.name} started\n`)
        return 0
      }
      const f = await waitSync(client, arg, started.lastSync?.at)
      out(line(f))
      for (const r of f.lastSync?.refused ?? []) out(`    refused ${r.url}: ${r.reason}\n`)
      return f.lastSync?.ok ? 0 : 1
    }
    case 'export': {
      if (!arg) throw new UsageError('feeds export needs a FILE')
      const r = await client.request(
        'POST',
        `${API_PREFIX}/feeds/export`,
        values.feed ? { feeds: values.feed } : {},
      )
      const body = Buffer.from(await r.arrayBuffer())
      await writeFile(arg, body)
      out(`wrote ${arg} (${body.length} bytes)\n`)
      return 0
    }
    case 'import': {
      if (!arg) throw new UsageError('feeds import needs a FILE')
      const r = await client.request(
        'POST',
        `${API_PREFIX}/feeds/bundle`,
        await readFile(arg),
        'application/zip',
      )
      const result = (await r.json()) as BundleResult
      for (const f of result.feeds) {
        const s = f.result
        out(
          `${f.name} (${f.kind}${f.created ? ', new, disabled' : ''}): ${s.ok ? 'ok' : `FAILED: ${s.error}`} +${s.added} ~${s.updated} =${s.unchanged}${s.refused.length ? `, refused ${s.refused.length}` : ''}\n`,
        )
        for (const x of s.refused) out(`    refused ${x.url}: ${x.reason}\n`)
      }
      return result.feeds.every((f) => f.result.ok && f.result.refused.length === 0) ? 0 : 1
    }
    default:
      throw new UsageError(cmd ? `unknown feeds command ${cmd}` : 'a feeds command is needed')
  }
}

async function collect(paths: string[]): Promise<string[]> {
  const out: string[] = []
  for (const p of paths) {
    const st = await stat(p)
    if (st.isDirectory()) {
      const names = (await readdir(p)).sort()
      out.push(...(await collect(names.map((n) => join(p, n)))))
    } else if (/\.(json|csv|gz|zip)$/i.test(p) || paths.includes(p)) out.push(p)
  }
  return out
}

/** Files uploaded per request (the API's body limit is 256 MiB; base64 adds a third). */
const BATCH_BYTES = 48 * 1024 * 1024

/**
 * `vigil-hub import` while a hub runs: the files go through its API, so they reach its correlation at
 * once. Answers null when no hub answers (the caller then imports into the data directory).
 */
export async function importThroughHub(
  paths: string[],
  config: HubConfig,
  io: CliIo = {},
): Promise<number | null> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t))
  const url = hubUrl(config, undefined, io.env)
  if (!(await hubAnswers(url))) return null
  const client = new HubClient(url, { adminPassword: config.adminPassword, env: io.env })
  const files = await collect(paths)
  let refused = 0
  let imported = 0
  let updated = 0
  let batch: { name: string; data: string }[] = []
  let size = 0
  const send = async () => {
    if (batch.length === 0) return
    const r = await client.json<AdvisoryFilesResult>('POST', `${API_PREFIX}/advisories/import`, {
      files: batch,
    })
    for (const f of r.files) {
      if (f.refused !== undefined) out(`refused ${f.name}: ${f.refused}\n`)
      else if (f.imported.length + f.updated.length + f.kev + f.epss === 0) out(`unchanged ${f.name}\n`)
    }
    refused += r.refused
    imported += r.imported
    updated += r.updated
    batch = []
    size = 0
  }
  for (const file of files) {
    const data = await readFile(file)
    if (size + data.length > BATCH_BYTES) await send()
    batch.push({ name: file, data: data.toString('base64') })
    size += data.length
  }
  await send()
  out(`imported ${imported}, updated ${updated}, refused ${refused} into the running hub at ${url}\n`)
  return refused > 0 ? 1 : 0
}
