/**
 * The agent's configuration: one schema, defaults written here, validated with every error listed.
 */
import { type Static, Type, VendorTrust } from '@vigil/protocol'
import { DEFAULT_STATE_DIR } from './defaults.js'

export { DEFAULT_STATE_DIR }

const Seconds = (dflt: number, min = 1) => Type.Integer({ minimum: min, maximum: 86_400, default: dflt })

export const AgentConfigSchema = Type.Object(
  {
    stateDir: Type.String({ minLength: 1, default: DEFAULT_STATE_DIR }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    telemetryIntervalSec: Seconds(10),
    inventoryIntervalSec: Seconds(3600, 10),
    hardeningIntervalSec: Seconds(900, 10),
    statusIntervalSec: Seconds(10),
    identity: Type.Object(
      {
        vendor: Type.Optional(Type.String({ maxLength: 128 })),
        model: Type.Optional(Type.String({ maxLength: 128 })),
        serial: Type.Optional(Type.String({ maxLength: 128 })),
        /** CPE / package-url of the device product, when its vendor publishes one (CSAF matching). */
        cpe: Type.Optional(Type.String({ maxLength: 512 })),
        purl: Type.Optional(Type.String({ maxLength: 512 })),
        firmwareVersion: Type.Optional(Type.String({ maxLength: 128 })),
        firmwareFile: Type.Optional(Type.String({ pattern: '^/' })),
        firmwareCommand: Type.Optional(Type.String({ minLength: 1 })),
      },
      { default: {}, additionalProperties: false },
    ),
    baselineFile: Type.Optional(Type.String({ pattern: '^/' })),
    /** PEM CA bundle to trust for mqtts:// (a hub with its own CA); the system CAs otherwise */
    mqttCaFile: Type.Optional(Type.String({ pattern: '^/' })),
    outbox: Type.Object(
      {
        maxTelemetry: Type.Integer({ minimum: 2, maximum: 1_000_000, default: 8640 }),
      },
      { default: {}, additionalProperties: false },
    ),
    reconnect: Type.Object(
      {
        minMs: Type.Integer({ minimum: 1, default: 1000 }),
        maxMs: Type.Integer({ minimum: 1, default: 60_000 }),
      },
      { default: {}, additionalProperties: false },
    ),
    paths: Type.Object(
      {
        root: Type.String({ default: '/', description: 'prefix for every probed file (tests, chroots)' }),
        dpkgStatus: Type.String({ default: '/var/lib/dpkg/status' }),
        apkInstalled: Type.String({ default: '/lib/apk/db/installed' }),
        osRelease: Type.String({ default: '/etc/os-release' }),
      },
      { default: {}, additionalProperties: false },
    ),
    // Signed patch manifests (agent/src/manifest): the vendor keys this device trusts as provisioned
    // (afterwards changed only by rotation statements signed by the old keys) and the install hook.
    manifests: Type.Object(
      {
        trust: Type.Optional(Type.Array(VendorTrust, { maxItems: 64 })),
        trustFile: Type.Optional(Type.String({ pattern: '^/', description: 'JSON: VendorTrust[]' })),
        rootFingerprint: Type.Optional(
          Type.String({
            pattern: '^[0-9a-f]{64}$',
            description: 'operator root fingerprint: the first root must be this one (also taken over MQTT)',
          }),
        ),
        installHook: Type.Optional(Type.String({ minLength: 1, description: 'command run by /bin/sh' })),
        hookTimeoutSec: Seconds(1800),
        downloadTimeoutSec: Seconds(600),
      },
      { default: {}, additionalProperties: false },
    ),
    logLevel: Type.Union(
      [Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')],
      { default: 'info' },
    ),
  },
  { additionalProperties: false },
)

export type AgentConfig = Readonly<Static<typeof AgentConfigSchema>>
