/** Wire constants, kept free of schema code so light entries (`@vigil/protocol/wire`) can use them. */

/** Version of the wire protocol carried by every MQTT payload. */
export const PROTOCOL_VERSION = 1 as const

/** DSSE payload type of a signed patch manifest. */
export const MANIFEST_PAYLOAD_TYPE = 'application/vnd.vigil.manifest+json;version=1'

/** DSSE payload type of a signed vendor key rotation statement. */
export const KEY_ROTATION_PAYLOAD_TYPE = 'application/vnd.vigil.key-rotation+json;version=1'

/** DSSE payload type of the operator's root of trust (keys + threshold that sign delegations). */
export const ROOT_PAYLOAD_TYPE = 'application/vnd.vigil.root+json;version=1'

/** DSSE payload type of a delegation: the operator root trusts a vendor's keys. */
export const DELEGATION_PAYLOAD_TYPE = 'application/vnd.vigil.delegation+json;version=1'
