/** Settings API calls: users and roles, enrollment tokens, the audit log. */
import {
  AuditList,
  EnrollmentTokenList,
  EnrollmentTokenResponse,
  type Role,
  UserInfo,
  UserList,
} from '@vigil/protocol'
import { request, requestVoid } from './http.js'

const user = (username: string) => `/users/${encodeURIComponent(username)}`

export const adminApi = {
  listUsers: () => request('/users', UserList),
  createUser: (body: { username: string; password: string; role: Role }) =>
    request('/users', UserInfo, { method: 'POST', body }),
  setRole: (username: string, role: Role) =>
    request(user(username), UserInfo, { method: 'PATCH', body: { role } }),
  deleteUser: (username: string) => requestVoid(user(username), { method: 'DELETE' }),
  listTokens: () => request('/enrollment-tokens', EnrollmentTokenList),
  createToken: (body: { uses: number; expiresIn: number; note?: string }) =>
    request('/enrollment-tokens', EnrollmentTokenResponse, { method: 'POST', body }),
  revokeToken: (id: string) =>
    requestVoid(`/enrollment-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  audit: (limit = 100) => request(`/audit?limit=${limit}`, AuditList),
}

/** Same-origin link for the CSV export (the session cookie authenticates the download). */
export const AUDIT_CSV_URL = '/api/v1/audit?format=csv&limit=100000'
