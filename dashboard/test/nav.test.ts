import type { Role } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { homeFor, NAV, navFor } from '../src/nav.ts'
import { admit, routes } from '../src/router.ts'

const route = (name: string) => {
  const r = routes.find((x) => x.name === name)
  if (!r) throw new Error(`no route ${name}`)
  return { name, meta: r.meta ?? {}, fullPath: r.path }
}

describe('role-aware navigation', () => {
  it.each([
    [
      'admin',
      ['Fleet', 'Devices', 'Risk register', 'Advisories', 'Feeds', 'Manifests', 'Maturity', 'Settings'],
    ],
    ['operator', ['Fleet', 'Devices', 'Risk register', 'Advisories', 'Manifests', 'Maturity', 'Settings']],
    ['technician', ['Fleet', 'Devices', 'Risk register', 'Advisories', 'Manifests', 'Maturity']],
    ['vendor', ['Manifests']],
  ] as [Role, string[]][])('shows %s only the pages it may open', (role, labels) => {
    expect(navFor(role).map((n) => n.label)).toEqual(labels)
  })

  it('lands each role on its first page: a vendor on its manifests', () => {
    expect(homeFor('operator')).toBe('fleet')
    expect(homeFor('vendor')).toBe('manifests')
  })

  it('guards every nav page with the same roles as its route', () => {
    for (const item of NAV) expect(route(item.name).meta.roles).toEqual(item.roles)
  })
})

describe('admit', () => {
  it('sends anonymous users to sign-in, remembering where they were going', () => {
    expect(admit({ ...route('devices'), fullPath: '/devices?x=1' }, null)).toEqual({
      name: 'sign-in',
      query: { next: '/devices?x=1' },
    })
    expect(admit(route('sign-in'), null)).toBe(true)
  })

  it('turns a signed-in user away from pages outside their role', () => {
    expect(admit(route('settings'), { role: 'technician' })).toEqual({ name: 'home' })
    expect(admit(route('devices'), { role: 'vendor' })).toEqual({ name: 'home' })
    expect(admit(route('settings'), { role: 'operator' })).toBe(true)
    expect(admit(route('device'), { role: 'technician' })).toBe(true)
  })

  it('skips the sign-in page for someone already signed in', () => {
    expect(admit(route('sign-in'), { role: 'admin' })).toEqual({ name: 'home' })
  })
})
