/**
 * Role-aware navigation: one table of the pages that exist, who may open them, and (by omission) the
 * pages that wait for their hub API. A page appears here only once the hub serves its data.
 */
import type { Role } from '@vigil/protocol'

export interface NavItem {
  name: string
  label: string
  roles: readonly Role[]
}

const STAFF: readonly Role[] = ['admin', 'operator', 'technician']

export const NAV: readonly NavItem[] = [
  { name: 'fleet', label: 'Fleet', roles: STAFF },
  { name: 'devices', label: 'Devices', roles: STAFF },
  { name: 'register', label: 'Risk register', roles: STAFF },
  { name: 'advisories', label: 'Advisories', roles: STAFF },
  { name: 'feeds', label: 'Feeds', roles: ['admin'] },
  { name: 'manifests', label: 'Manifests', roles: ['admin', 'operator', 'technician', 'vendor'] },
  { name: 'maturity', label: 'Maturity', roles: STAFF },
  { name: 'settings', label: 'Settings', roles: ['admin', 'operator'] },
]

export function navFor(role: Role | undefined): NavItem[] {
  return role ? NAV.filter((n) => n.roles.includes(role)) : []
}

/** Where a user lands after sign-in: the first page their role may open. */
export function homeFor(role: Role | undefined): string {
  return navFor(role)[0]?.name ?? 'welcome'
}
