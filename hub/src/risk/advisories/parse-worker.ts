/** The parse worker's thread (see `parse-pool.ts`): prepares each batch of texts it is sent. */
import { parentPort } from 'node:worker_threads'
import { prepare } from './prepare.js'

export interface ParseRequest {
  id: number
  maxDepth: number
  texts: { file: string; text: string }[]
}

parentPort?.on('message', (m: ParseRequest) => {
  const out = m.texts.map(({ file, text }) => prepare(file, text, m.maxDepth))
  parentPort?.postMessage({ id: m.id, out })
})
