/** Wire constants, kept free of schema code so light entries (`@vigil/protocol/wire`) can use them. */

/** Version of the wire protocol carried by every MQTT payload. */
export const PROTOCOL_VERSION = 1 as const

/** DSSE payload type of a signed patch manifest. */
export const MANIFEST_PAYLOAD_TYPE = 'application/vnd.vigil.manifest+json;version=1'

/** DSSE payload type of a signed vendor key rotation statement. */
export const KEY_ROTATION_PAYLOAD_TYPE = 'application/vnd.vigil.key-rotation+json;version=1'
