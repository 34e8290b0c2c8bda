import { LowdbStore } from '../../src/store/lowdb-store.ts'
import { storeConformance, WRITER_SCRIPT } from './conformance.ts'

storeConformance({
  name: 'embedded (lowdb + journal)',
  open: (dataDir) => LowdbStore.open({ dataDir, flushIntervalMs: 60_000 }),
  writerScript: WRITER_SCRIPT,
  files: true,
})
