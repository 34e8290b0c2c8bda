import type { Role, SessionUser } from '@vigil/protocol'
import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteLocationRaw,
  type RouteRecordRaw,
  type RouterHistory,
} from 'vue-router'
import { homeFor } from './nav.js'
import { restoreSession, session } from './session.js'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session (the sign-in page). */
    public?: boolean
    /** Roles that may open the page; absent = any signed-in user. */
    roles?: readonly Role[]
    title?: string
  }
}

const STAFF: readonly Role[] = ['admin', 'operator', 'technician']

export const routes: RouteRecordRaw[] = [
  {
    path: '/sign-in',
    name: 'sign-in',
    component: () => import('./pages/SignInPage.vue'),
    meta: { public: true, title: 'Sign in' },
  },
  {
    // Resolved after the session is known (a plain `redirect` would run before the guard restores it).
    path: '/',
    name: 'home',
    component: () => import('./pages/WelcomePage.vue'),
    beforeEnter: () => ({ name: homeFor(session.user?.role) }),
  },
  {
    path: '/fleet',
    name: 'fleet',
    component: () => import('./pages/FleetPage.vue'),
    meta: { roles: STAFF, title: 'Fleet' },
  },
  {
    path: '/devices',
    name: 'devices',
    component: () => import('./pages/DevicesPage.vue'),
    meta: { roles: STAFF, title: 'Devices' },
  },
  {
    path: '/devices/:id',
    name: 'device',
    component: () => import('./pages/DevicePage.vue'),
    meta: { roles: STAFF, title: 'Device' },
  },
  {
    path: '/register',
    name: 'register',
    component: () => import('./pages/RegisterPage.vue'),
    meta: { roles: STAFF, title: 'Risk register' },
  },
  {
    path: '/advisories',
    name: 'advisories',
    component: () => import('./pages/AdvisoriesPage.vue'),
    meta: { roles: STAFF, title: 'Advisories' },
  },
  {
    path: '/feeds',
    name: 'feeds',
    component: () => import('./pages/FeedsPage.vue'),
    meta: { roles: ['admin'], title: 'Feeds' },
  },
  {
    path: '/manifests',
    name: 'manifests',
    component: () => import('./pages/ManifestsPage.vue'),
    meta: { roles: ['admin', 'operator', 'technician', 'vendor'], title: 'Manifests' },
  },
  {
    path: '/maturity',
    name: 'maturity',
    component: () => import('./pages/MaturityPage.vue'),
    meta: { roles: STAFF, title: 'Maturity' },
  },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('./pages/SettingsPage.vue'),
    meta: { roles: ['admin', 'operator'], title: 'Settings' },
  },
  {
    path: '/welcome',
    name: 'welcome',
    component: () => import('./pages/WelcomePage.vue'),
    meta: { title: 'Welcome' },
  },
  {
    path: '/:rest(.*)*',
    name: 'not-found',
    component: () => import('./pages/NotFoundPage.vue'),
    meta: { title: 'Not found' },
  },
]

/** The access rule of every navigation: sign-in first, then the page's roles. */
export function admit(
  to: Pick<RouteLocationNormalized, 'meta' | 'name' | 'fullPath'>,
  user: Pick<SessionUser, 'role'> | null,
): true | RouteLocationRaw {
  if (to.meta.public) return user && to.name === 'sign-in' ? { name: 'home' } : true
  if (!user) return { name: 'sign-in', query: { next: to.fullPath } }
  if (to.meta.roles && !to.meta.roles.includes(user.role)) return { name: 'home' }
  return true
}

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  const router = createRouter({ history, routes })
  router.beforeEach(async (to) => {
    if (!session.checked) {
      try {
        await restoreSession()
      } catch {
        // The hub is unreachable: the sign-in page says so when the user tries.
      }
    }
    return admit(to, session.user)
  })
  router.afterEach((to) => {
    if (typeof document !== 'undefined') document.title = to.meta.title ? `${to.meta.title} · Vigil` : 'Vigil'
  })
  return router
}
