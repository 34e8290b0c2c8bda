import { inject } from 'vue'
import { type LiveClient, liveKey } from './live.js'

/** The live client the app provided (one per signed-in session). */
export function useLive(): LiveClient {
  const live = inject(liveKey, null)
  if (!live) throw new Error('no live connection: useLive() must run inside the signed-in app')
  return live
}
