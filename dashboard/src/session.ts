/**
 * Who is signed in. The hub sets an httpOnly cookie on sign-in; we keep the token in memory only, for
 * the socket.io handshake. After a reload the cookie still authenticates, so `restore()` asks the hub.
 */
import type { Role, SessionUser } from '@vigil/protocol'
import { reactive, readonly } from 'vue'
import { call, setBearerToken } from './api/http.js'

interface Signed {
  user: SessionUser | null
  token: string | null
  /** False until we know whether a cookie session exists. */
  checked: boolean
}

const state = reactive<Signed>({ user: null, token: null, checked: false })
export const session = readonly(state)

export async function signIn(username: string, password: string): Promise<SessionUser> {
  const res = await call('POST /session', { body: { username, password } })
  state.user = res.user
  state.token = res.token
  state.checked = true
  setBearerToken(res.token)
  return res.user
}

/** Asks the hub whether the cookie still signs us in: 200 either way, so a first visit logs no error. */
export async function restoreSession(): Promise<SessionUser | null> {
  try {
    const res = await call('GET /session')
    state.user = res.signedIn ? res.user : null
  } finally {
    state.checked = true
  }
  return state.user
}

/** Forgets the session locally (e.g. the hub said 401) without calling the hub. */
export function forgetSession(): void {
  state.user = null
  state.token = null
  setBearerToken(null)
}

export async function signOut(): Promise<void> {
  try {
    await call('DELETE /session')
  } finally {
    forgetSession()
  }
}

export function hasRole(...roles: Role[]): boolean {
  return state.user !== null && roles.includes(state.user.role)
}
