/** One open finding as the hub lists it (libxml2 on gateway-1), with `overrides`: the tests' fixture. */
import type { FindingView } from '@vigil/protocol'

export const findingView = (overrides: Partial<FindingView> = {}): FindingView => ({
  id: 'f1',
  deviceId: 'dev-1',
  deviceName: 'gateway-1',
  advisory: 'DLA-3012-1',
  cve: 'CVE-2022-29824',
  component: { name: 'libxml2', version: '2.9.4', purl: null },
  affected: '< 2.9.4+deb9u7',
  fixed: '2.9.4+deb9u7',
  severity: 'high',
  kev: false,
  confidence: 'exact',
  state: 'open',
  owner: null,
  firstSeen: '2026-11-01T00:00:00.000Z',
  resolvedAt: null,
  dueDate: '2026-12-01T00:00:00.000Z',
  overdue: false,
  decision: null,
  ...overrides,
})
