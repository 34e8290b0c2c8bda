/** The command table of the agent. Manifests and key rotations go to the manifest module. */
import type { ApplyTrustResult, CommandRequest } from '@vigil/protocol'
import { CommandError, type CommandHandlers } from './dispatch.js'

export interface CommandDeps {
  rescan(): Promise<{ inventoryHash: string; hardeningHash: string }>
  sendInventory(): Promise<{ inventoryHash: string }>
  sendHardening(): Promise<{ hardeningHash: string }>
  applyBaseline(baseline: unknown): Promise<{ applied: boolean; message: string }>
  now(): Date
  /** The manifest module (agent/src/manifest); without it the agent answers NOT_IMPLEMENTED. */
  manifests?: {
    install(req: Extract<CommandRequest, { cmd: 'install-manifest' }>): Promise<Record<string, unknown>>
    rotate(req: Extract<CommandRequest, { cmd: 'apply-key-rotation' }>): Promise<Record<string, unknown>>
    applyTrust(req: Extract<CommandRequest, { cmd: 'apply-trust' }>): Promise<ApplyTrustResult>
  }
}

export function createCommandHandlers(d: CommandDeps): CommandHandlers {
  return {
    ping: async () => ({ pong: true, ts: d.now().toISOString() }),
    rescan: async () => ({ ...(await d.rescan()) }),
    'send-inventory': async () => ({ inventoryHash: (await d.sendInventory()).inventoryHash }),
    'send-hardening': async () => ({ hardeningHash: (await d.sendHardening()).hardeningHash }),
    'apply-baseline': async (req) => {
      const r = await d.applyBaseline(req.baseline)
      if (!r.applied && r.message.includes('already')) return { applied: false, message: r.message }
      if (!r.applied) throw new CommandError('BAD_BASELINE', r.message)
      return { applied: true, message: r.message }
    },
    'install-manifest': async (req) => {
      if (!d.manifests) throw new CommandError('NOT_IMPLEMENTED', 'this agent cannot install manifests')
      return d.manifests.install(req)
    },
    'apply-key-rotation': async (req) => {
      if (!d.manifests) throw new CommandError('NOT_IMPLEMENTED', 'this agent cannot apply key rotations')
      return d.manifests.rotate(req)
    },
    'apply-trust': async (req) => {
      if (!d.manifests) throw new CommandError('NOT_IMPLEMENTED', 'this agent cannot hold an operator root')
      return { ...(await d.manifests.applyTrust(req)) }
    },
  }
}
