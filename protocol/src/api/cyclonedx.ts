import { type Static, Type } from '../schema.js'

/**
 * A CycloneDX 1.6 document as the hub serves it (device SBOM, fleet VEX): the header the API promises,
 * every other property of the CycloneDX specification passed through as written.
 */
export const CycloneDxDocument = Type.Object(
  {
    bomFormat: Type.Literal('CycloneDX'),
    specVersion: Type.String(),
    serialNumber: Type.Optional(Type.String()),
    version: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true, $id: 'CycloneDxDocument' },
)
export type CycloneDxDocument = Static<typeof CycloneDxDocument> & Record<string, unknown>
