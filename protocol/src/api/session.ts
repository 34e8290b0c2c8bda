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

/**
 * `GET /api/v1/session`: whether the caller is signed in. Public, and 200 either way: asking is not an
 * error (the dashboard asks at every load, before anyone has signed in). A token that does not
 * authenticate (expired, signed out, replaced) answers `{signedIn: false}` like no token at all.
 */
export const SessionState = Type.Union(
  [
    Type.Object({ signedIn: Type.Literal(true), user: SessionUser }, { additionalProperties: false }),
    Type.Object({ signedIn: Type.Literal(false) }, { additionalProperties: false }),
  ],
  { $id: 'SessionState' },
)
export type SessionState = Static<typeof SessionState>
