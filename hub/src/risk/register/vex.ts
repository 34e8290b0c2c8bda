/**
 * The fleet's decisions as a CycloneDX 1.6 VEX document. Each device is a component (its packages
 * nested under it), each finding a vulnerability whose `affects` points at that component:
 *   false_positive → not_affected, justification (the operator's choice, default code_not_present)
 *   accepted       → exploitable, response will_not_fix (a known risk, NOT "not affected")
 *   mitigated      → exploitable, response workaround_available (the control in the detail)
 *   in_progress    → exploitable, response update
 *   open           → in_triage
 *   resolved       → resolved
 */
import { randomUUID } from 'node:crypto'
import type { CycloneDxDocument, FindingState, FindingView } from '@vigil/protocol'

interface Analysis {
  state: string
  justification?: string
  response?: string[]
  detail?: string
  firstIssued: string
  lastUpdated: string
}

const STATE: Record<FindingState, { state: string; response?: string[] }> = {
  false_positive: { state: 'not_affected' },
  accepted: { state: 'exploitable', response: ['will_not_fix'] },
  mitigated: { state: 'exploitable', response: ['workaround_available'] },
  in_progress: { state: 'exploitable', response: ['update'] },
  open: { state: 'in_triage' },
  resolved: { state: 'resolved' },
}

function detail(f: FindingView): string | undefined {
  const d = f.decision
  if (d === null) return undefined
  const parts = [d.why]
  if (d.reason) parts.push(`reason: ${d.reason}`)
  if (d.justification) parts.push(`justification: ${d.justification}`)
  if (d.approver) parts.push(`approved by ${d.approver}`)
  if (d.expiresAt) parts.push(`until ${d.expiresAt}`)
  if (d.control) parts.push(`compensating control: ${d.control}`)
  parts.push(`decided by ${d.by} at ${d.at}`)
  return parts.join('; ')
}

export function vexDocument(findings: FindingView[], now: Date): CycloneDxDocument {
  const devices = new Map<string, { name: string; parts: Map<string, FindingView['component']> }>()
  const refOf = (f: FindingView) => `${f.deviceId}/${f.component.purl ?? f.component.name}`
  for (const f of findings) {
    const d = devices.get(f.deviceId) ?? { name: f.deviceName, parts: new Map() }
    d.parts.set(refOf(f), f.component)
    devices.set(f.deviceId, d)
  }
  const components = [...devices].map(([id, d]) => ({
    type: 'device',
    'bom-ref': `device:${id}`,
    name: d.name,
    components: [...d.parts].map(([ref, c]) => ({
      type: 'library',
      'bom-ref': ref,
      name: c.name,
      ...(c.version ? { version: c.version } : {}),
      ...(c.purl ? { purl: c.purl } : {}),
    })),
  }))
  const vulnerabilities = findings.map((f) => {
    const m = STATE[f.state]
    const analysis: Analysis = {
      state: m.state,
      firstIssued: f.firstSeen,
      lastUpdated: f.decision?.at ?? f.firstSeen,
    }
    if (f.state === 'false_positive')
      analysis.justification = f.decision?.vexJustification ?? 'code_not_present'
    if (m.response) analysis.response = m.response
    const text = detail(f)
    if (text !== undefined) analysis.detail = text
    return {
      'bom-ref': `finding:${f.id}`,
      id: f.cve ?? f.advisory,
      ...(f.cve && f.cve !== f.advisory
        ? { references: [{ id: f.advisory, source: { name: 'advisory' } }] }
        : {}),
      ...(f.severity ? { ratings: [{ severity: f.severity }] } : {}),
      analysis,
      affects: [
        {
          ref: refOf(f),
          ...(f.component.version
            ? {
                versions: [
                  {
                    version: f.component.version,
                    status:
                      f.state === 'false_positive' || f.state === 'resolved' ? 'unaffected' : 'affected',
                  },
                ],
              }
            : {}),
        },
      ],
    }
  })
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: { components: [{ type: 'application', name: 'vigil-hub' }] },
    },
    components,
    vulnerabilities,
  }
}
