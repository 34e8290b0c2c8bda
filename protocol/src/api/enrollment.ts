import { VendorTrust } from '../messages/key-rotation.js'
import { type Static, Type } from '../schema.js'
import { SafeName } from './names.js'
import { TrustBundle } from './trust.js'

export const EnrollmentTokenRequest = Type.Object(
  {
    uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
    expiresIn: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 31_536_000,
        description: 'seconds until the token expires (default 24 h)',
      }),
    ),
    note: Type.Optional(SafeName(256)),
  },
  { $id: 'EnrollmentTokenRequest', additionalProperties: false },
)
export type EnrollmentTokenRequest = Static<typeof EnrollmentTokenRequest>

export const EnrollmentTokenResponse = Type.Object(
  {
    token: Type.String(),
    id: Type.String(),
    uses: Type.Integer(),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'EnrollmentTokenResponse' },
)
export type EnrollmentTokenResponse = Static<typeof EnrollmentTokenResponse>

export const EnrollRequest = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 256 }),
    name: SafeName(255),
  },
  { $id: 'EnrollRequest', additionalProperties: false },
)
export type EnrollRequest = Static<typeof EnrollRequest>

export const EnrollResponse = Type.Object(
  {
    deviceId: Type.String(),
    mqtt: Type.Object({ url: Type.String(), username: Type.String(), password: Type.String() }),
    vendors: Type.Optional(
      Type.Array(VendorTrust, {
        maxItems: 64,
        description:
          'vendor keys the device trusts for signed manifests, provisioned once at enrollment; afterwards only rotation statements signed by the old keys change them',
      }),
    ),
    trust: Type.Optional(TrustBundle),
  },
  { $id: 'EnrollResponse' },
)
export type EnrollResponse = Static<typeof EnrollResponse>

/**
 * `POST /api/v1/devices/:id/credentials`: a new MQTT password for an enrolled device (the old one stops
 * working at once and its connection is closed). Shown once; the hub keeps only its hash.
 */
export const DeviceCredentials = Type.Object(
  {
    deviceId: Type.String(),
    mqtt: Type.Object({ url: Type.String(), username: Type.String(), password: Type.String() }),
  },
  { $id: 'DeviceCredentials' },
)
export type DeviceCredentials = Static<typeof DeviceCredentials>

/** An enrollment token as listed by `GET /api/v1/enrollment-tokens` (never the token itself). */
export const EnrollmentTokenInfo = Type.Object(
  {
    id: Type.String(),
    uses: Type.Integer(),
    used: Type.Integer(),
    createdAt: Type.String(),
    expiresAt: Type.String(),
    createdBy: Type.String(),
    revoked: Type.Boolean(),
    note: Type.Optional(Type.String()),
    usable: Type.Boolean(),
  },
  { $id: 'EnrollmentTokenInfo' },
)
export type EnrollmentTokenInfo = Static<typeof EnrollmentTokenInfo>

export const EnrollmentTokenList = Type.Object(
  { tokens: Type.Array(EnrollmentTokenInfo) },
  { $id: 'EnrollmentTokenList' },
)
export type EnrollmentTokenList = Static<typeof EnrollmentTokenList>
