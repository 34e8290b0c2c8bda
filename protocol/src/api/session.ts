import { type Static, Type } from '../schema.js'
import { Role } from './common.js'

export const SessionRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 128 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { $id: 'SessionRequest', additionalProperties: false },
)
export type SessionRequest = Static<typeof SessionRequest>

export const SessionUser = Type.Object({
  username: Type.String(),
  role: Role,
  vendorId: Type.Optional(Type.String()),
})
export type SessionUser = Static<typeof SessionUser>

export const SessionResponse = Type.Object(
  { token: Type.String(), user: SessionUser, expiresAt: Type.String({ format: 'date-time' }) },
  { $id: 'SessionResponse' },
)
export type SessionResponse = Static<typeof SessionResponse>
