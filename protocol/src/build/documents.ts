/** Pure generators for the published documents (JSON Schemas, AsyncAPI 3, topic table). */
import type { TSchema } from 'typebox'
import { DeviceSummary } from '../api/device.js'
import { EnrollRequest, EnrollResponse } from '../api/enrollment.js'
import { HardeningBaseline, HardeningCheck } from '../messages/hardening.js'
import { KeyRotationPayload, VendorTrust } from '../messages/key-rotation.js'
import { DsseEnvelope, ManifestPayload } from '../messages/manifest.js'
import { DelegationPayload, RootPayload } from '../messages/trust-root.js'
import { DEVICE_MESSAGES, HUB_MESSAGES, TOPIC_ROOT } from '../topics.js'

const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema'

function schemaName(schema: TSchema): string {
  const id = (schema as { $id?: unknown }).$id
  if (typeof id !== 'string') throw new Error('every published schema needs a $id')
  return id
}

/** Every published schema, by name. */
export function jsonSchemas(): Record<string, Record<string, unknown>> {
  const all: TSchema[] = [
    ...Object.values(DEVICE_MESSAGES).map((m) => m.schema),
    ...Object.values(HUB_MESSAGES).map((m) => m.schema),
    HardeningCheck,
    HardeningBaseline,
    ManifestPayload,
    DsseEnvelope,
    KeyRotationPayload,
    VendorTrust,
    RootPayload,
    DelegationPayload,
    DeviceSummary,
    EnrollRequest,
    EnrollResponse,
  ]
  const out: Record<string, Record<string, unknown>> = {}
  for (const schema of all) {
    const name = schemaName(schema)
    out[name] = { $schema: JSON_SCHEMA_DIALECT, ...JSON.parse(JSON.stringify(schema)) }
  }
  return out
}

interface Row {
  address: string
  direction: 'device → hub' | 'hub → device' | 'hub → devices'
  schema: string
  qos: number
  retained: boolean
  doc: string
  key: string
}

export function topicRows(): Row[] {
  const rows: Row[] = []
  for (const [kind, m] of Object.entries(DEVICE_MESSAGES)) {
    rows.push({
      key: `device-${kind.replace('/', '-')}`,
      address: `${TOPIC_ROOT}/dev/{deviceId}/${kind}`,
      direction: 'device → hub',
      schema: schemaName(m.schema),
      qos: m.qos,
      retained: m.retained,
      doc: m.doc,
    })
  }
  rows.push({
    key: 'command',
    address: `${TOPIC_ROOT}/dev/{deviceId}/cmd/req`,
    direction: 'hub → device',
    schema: schemaName(HUB_MESSAGES.command.schema),
    qos: HUB_MESSAGES.command.qos,
    retained: HUB_MESSAGES.command.retained,
    doc: HUB_MESSAGES.command.doc,
  })
  rows.push({
    key: 'baseline',
    address: `${TOPIC_ROOT}/fleet/baseline`,
    direction: 'hub → devices',
    schema: schemaName(HUB_MESSAGES.baseline.schema),
    qos: HUB_MESSAGES.baseline.qos,
    retained: HUB_MESSAGES.baseline.retained,
    doc: HUB_MESSAGES.baseline.doc,
  })
  return rows
}

export function topicTableMarkdown(): string {
  const lines = [
    '| topic | direction | schema | QoS | retained | what |',
    '| --- | --- | --- | --- | --- | --- |',
    ...topicRows().map(
      (r) =>
        `| \`${r.address}\` | ${r.direction} | \`${r.schema}\` | ${r.qos} | ${r.retained ? 'yes' : 'no'} | ${r.doc} |`,
    ),
  ]
  return `${lines.join('\n')}\n`
}

/** AsyncAPI 3.0 document: one channel per topic, one message per schema, operations from the hub's view. */
export function asyncApiDocument(): Record<string, unknown> {
  const schemas = jsonSchemas()
  const channels: Record<string, unknown> = {}
  const operations: Record<string, unknown> = {}
  const messages: Record<string, unknown> = {}
  for (const row of topicRows()) {
    messages[row.schema] = { name: row.schema, contentType: 'application/json', payload: schemas[row.schema] }
    const params = row.address.includes('{deviceId}')
      ? { deviceId: { description: 'device id issued by the hub at enrollment' } }
      : undefined
    channels[row.key] = {
      address: row.address,
      description: row.doc,
      messages: { [row.schema]: { $ref: `#/components/messages/${row.schema}` } },
      ...(params ? { parameters: params } : {}),
      bindings: { mqtt: { bindingVersion: '0.2.0' } },
    }
    operations[`${row.direction === 'device → hub' ? 'receive' : 'send'}-${row.key}`] = {
      action: row.direction === 'device → hub' ? 'receive' : 'send',
      channel: { $ref: `#/channels/${row.key}` },
      bindings: { mqtt: { bindingVersion: '0.2.0', qos: row.qos, retain: row.retained } },
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Vigil device protocol',
      version: '1.0.0',
      description:
        'MQTT contract between Vigil agents and the Vigil hub. Operations are described from the hub. Generated from @vigil/protocol.',
    },
    defaultContentType: 'application/json',
    servers: {
      hub: { host: 'localhost:1883', protocol: 'mqtt', description: 'embedded broker of vigil-hub' },
      hubTls: { host: 'localhost:8883', protocol: 'secure-mqtt', description: 'embedded broker over TLS' },
    },
    channels,
    operations,
    components: { messages },
  }
}
