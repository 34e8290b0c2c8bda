/**
 * A device's packages, read from its CycloneDX SBOM (`GET /api/v1/devices/:id/sbom`). Only the part of
 * CycloneDX the inventory view shows is checked; everything else in the document is ignored.
 */
import { type Static, Type } from '@vigil/protocol'
import { request } from './http.js'

const SbomComponents = Type.Object({
  components: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.String(),
        name: Type.String(),
        version: Type.Optional(Type.String()),
        purl: Type.Optional(Type.String()),
      }),
    ),
  ),
})
export type SbomComponent = NonNullable<Static<typeof SbomComponents>['components']>[number]

export async function fetchPackages(deviceId: string, signal?: AbortSignal): Promise<SbomComponent[]> {
  const sbom = await request(`/devices/${encodeURIComponent(deviceId)}/sbom`, SbomComponents, { signal })
  return sbom.components ?? []
}
