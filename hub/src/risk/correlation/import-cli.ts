/**
 * `vigil-hub import <path…>` into the hub's data directory: the advisories feature's importer with the
 * hub's advisory store as the sink (stored advisories are loaded first, so revisions compare against
 * what the hub holds), KEV/EPSS tables merged and stored too. Used only when no hub answers: while a
 * hub runs, `vigil-hub import` goes through its API (`feeds/cli.ts`), so what it reports shows at once.
 *
 * Exit 0, 1 when something was rejected, 2 on usage error; progress on a terminal, then the summary.
 */

import { StorageError } from '../../store/errors.js'
import { openStore, type StoreConfig, storeLocation } from '../../store/open.js'
import type { Store } from '../../store/types.js'
import { createVendorMatcher, importSummaryText } from '../advisories/index.js'
import { AdvisoryDb } from './advisory-db.js'
import { CorrelationEngine } from './engine.js'
import { AdvisoryService } from './service.js'

export interface ImportIo {
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  isTTY?: boolean
}

const USAGE = 'usage: vigil-hub import <file|dir>…'

export async function importIntoDataDir(
  argv: string[],
  config: StoreConfig,
  io: ImportIo = {},
): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t))
  const err = io.stderr ?? ((t: string) => process.stderr.write(t))
  const paths = (argv[0] === 'import' ? argv.slice(1) : argv).filter((a) => a !== '')
  if (paths.includes('--help') || paths.includes('-h')) {
    out(`${USAGE}\nImports OSV, CSAF 2.0, KEV and EPSS files into ${storeLocation(config)} (advisory-db)\n`)
    return 0
  }
  if (paths.length === 0 || paths.some((p) => p.startsWith('-'))) {
    err(`vigil-hub import: no paths given\n${USAGE}\n`)
    return 2
  }
  let store: Store
  try {
    store = await openStore({ ...config, flushIntervalMs: 60_000 })
  } catch (e) {
    if (e instanceof StorageError && e.code === 'STORE_LOCKED') {
      err(
        `vigil-hub import: ${e.message}; a running hub imports through its API ` +
          '(POST /api/v1/advisories) or its watched folder <dataDir>/advisories\n',
      )
      return 2
    }
    throw e
  }
  try {
    return await importWith(store, storeLocation(config), paths, out, err, io)
  } finally {
    await store.close()
  }
}

async function importWith(
  store: Store,
  location: string,
  paths: string[],
  out: (t: string) => void,
  err: (t: string) => void,
  io: ImportIo,
): Promise<number> {
  const db = await AdvisoryDb.open(store)
  const stored = await db.load((file, e) =>
    err(`warning: unreadable stored advisory ${file}: ${String(e)}\n`),
  )
  const engine = new CorrelationEngine(createVendorMatcher())
  engine.enrichment = stored.enrichment
  for (const a of stored.advisories) engine.advisories.upsert(a)
  const tty = io.isTTY ?? process.stderr.isTTY === true
  const service = new AdvisoryService(engine, db)
  const summary = await service.importPaths(paths, {
    onProgress: tty
      ? (done, total) => {
          const width = 30
          const filled = total === 0 ? width : Math.round((done / total) * width)
          err(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`)
          if (done === total) err('\n')
        }
      : undefined,
  })
  out(`${importSummaryText(summary)}\n`)
  out(
    `Stored in ${location} (advisory-db): no hub answered, so a hub loads these when it starts on this store (a hub running elsewhere on it sees them only after a restart: pass VIGIL_HUB_URL to import through it).\n`,
  )
  return summary.rejected.length > 0 ? 1 : 0
}
