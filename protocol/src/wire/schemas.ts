/**
 * The schemas a device validates, by validator name: `wire/validators.ts` compiles them at run time
 * from source, and the build (build/precompile-wire.ts) replaces that module in dist/ with checks
 * generated ahead of time, so the agent never loads TypeBox.
 */
import { EnrollResponse } from '../api/enrollment.js'
import { CommandRequest } from '../messages/command.js'
import { HardeningBaseline } from '../messages/hardening.js'
import { KeyRotationPayload, VendorTrust } from '../messages/key-rotation.js'
import { DsseEnvelope, ManifestPayload, RolloutState } from '../messages/manifest.js'
import { DelegationPayload, RootPayload } from '../messages/trust-root.js'

export const WIRE_SCHEMAS = {
  commandRequest: CommandRequest,
  hardeningBaseline: HardeningBaseline,
  enrollResponse: EnrollResponse,
  dsseEnvelope: DsseEnvelope,
  manifestPayload: ManifestPayload,
  keyRotationPayload: KeyRotationPayload,
  vendorTrust: VendorTrust,
  rolloutState: RolloutState,
  rootPayload: RootPayload,
  delegationPayload: DelegationPayload,
}
