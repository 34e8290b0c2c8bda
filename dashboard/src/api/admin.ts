/** Settings API calls: users and roles, enrollment tokens, the audit log (routes of protocol's route map). */
import { API_PREFIX, type Role, type RouteBody } from '@vigil/protocol'
import { call } from './http.js'

export const adminApi = {
  listUsers: () => call('GET /users'),
  createUser: (body: RouteBody<'POST /users'>) => call('POST /users', { body }),
  setRole: (username: string, role: Role) =>
    call('PATCH /users/:username', { params: { username }, body: { role } }),
  deleteUser: (username: string) => call('DELETE /users/:username', { params: { username } }),
  listTokens: () => call('GET /enrollment-tokens'),
  createToken: (body: NonNullable<RouteBody<'POST /enrollment-tokens'>>) =>
    call('POST /enrollment-tokens', { body }),
  revokeToken: (id: string) => call('DELETE /enrollment-tokens/:id', { params: { id } }),
  audit: (limit = 100) => call('GET /audit', { query: { limit } }),
}

/** Same-origin link for the CSV export (the session cookie authenticates the download). */
export const AUDIT_CSV_URL = `${API_PREFIX}/audit?format=csv&limit=100000`
