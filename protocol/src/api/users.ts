import { type Static, Type } from '../schema.js'
import { Role } from './common.js'

/** A user as the API shows it (`GET /api/v1/users`): never a password hash. */
export const UserInfo = Type.Object(
  {
    username: Type.String(),
    role: Role,
    createdAt: Type.String(),
    lockedUntil: Type.Optional(Type.String({ description: 'set while sign-in is locked after failures' })),
  },
  { $id: 'UserInfo' },
)
export type UserInfo = Static<typeof UserInfo>

export const UserList = Type.Object({ users: Type.Array(UserInfo) }, { $id: 'UserList' })
export type UserList = Static<typeof UserList>

/** One line of the audit log (`GET /api/v1/audit`). */
export const AuditEntryInfo = Type.Object(
  {
    ts: Type.String(),
    actor: Type.String(),
    action: Type.String(),
    target: Type.Optional(Type.String()),
    ok: Type.Boolean(),
    detail: Type.Optional(Type.String()),
    ip: Type.Optional(Type.String()),
  },
  { $id: 'AuditEntryInfo' },
)
export type AuditEntryInfo = Static<typeof AuditEntryInfo>

export const AuditList = Type.Object({ entries: Type.Array(AuditEntryInfo) }, { $id: 'AuditList' })
export type AuditList = Static<typeof AuditList>

const Password = Type.String({ minLength: 8, maxLength: 1024 })

/** `POST /api/v1/users`. */
export const UserCreate = Type.Object(
  { username: Type.String({ pattern: '^[A-Za-z0-9_.@-]{1,128}$' }), password: Password, role: Role },
  { additionalProperties: false, $id: 'UserCreate' },
)
export type UserCreate = Static<typeof UserCreate>

/** `PATCH /api/v1/users/:username`: a new role, a new password, or both. */
export const UserPatch = Type.Object(
  { role: Type.Optional(Role), password: Type.Optional(Password) },
  { additionalProperties: false, $id: 'UserPatch' },
)
export type UserPatch = Static<typeof UserPatch>
