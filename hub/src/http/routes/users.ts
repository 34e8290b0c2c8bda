/** Users and roles (admin only): list, create, change role or password, delete. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, NoContent, Type, UserCreate, UserInfo, UserList, UserPatch } from '@vigil/protocol'
import { createUser, findUser, setPassword, setRole } from '../../auth/users.js'
import { HubError } from '../../errors.js'
import type { UserRecord } from '../../store/types.js'

const view = (u: UserRecord): UserInfo => ({
  username: u.username,
  role: u.role,
  createdAt: u.createdAt,
  ...(u.lockedUntil && Date.parse(u.lockedUntil) > Date.now() ? { lockedUntil: u.lockedUntil } : {}),
})
const Params = Type.Object({ username: Type.String({ maxLength: 128 }) })

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = app.hub
  const admin = app.requireRole('admin')
  const tags = ['users']
  const actor = (req: { user: UserRecord | null }) => req.user?.username ?? ''
  const admins = () => hub.store.users.values().filter((u) => u.role === 'admin').length

  app.get(
    '/users',
    {
      onRequest: admin,
      schema: { tags, response: { 200: UserList } },
    },
    async () => ({ users: hub.store.users.values().map(view) }),
  )

  app.post(
    '/users',
    {
      onRequest: admin,
      bodyLimit: 16 * 1024,
      schema: {
        tags,
        body: UserCreate,
        response: { 201: UserInfo, 400: ApiError, 409: ApiError },
      },
    },
    async (req, reply) => {
      const user = await createUser(hub.store, req.body)
      hub.audit({
        actor: actor(req),
        action: 'user.create',
        target: user.username,
        ok: true,
        detail: user.role,
      })
      await hub.store.commit()
      return reply.code(201).send(view(user))
    },
  )

  app.patch(
    '/users/:username',
    {
      onRequest: admin,
      bodyLimit: 16 * 1024,
      schema: {
        tags,
        params: Params,
        body: UserPatch,
        response: { 200: UserInfo, 400: ApiError, 404: ApiError, 409: ApiError },
      },
    },
    async (req) => {
      const { username } = req.params
      const user = findUser(hub.store, username)
      if (!user) throw new HubError('VIGIL_NOT_FOUND', `no user ${username}`)
      if (req.body.role && req.body.role !== 'admin' && user.role === 'admin' && admins() === 1) {
        throw new HubError('VIGIL_CONFLICT', 'the last admin cannot lose the admin role')
      }
      if (req.body.password) {
        await setPassword(hub.store, username, req.body.password)
        hub.audit({ actor: actor(req), action: 'user.password', target: username, ok: true })
      }
      if (req.body.role && req.body.role !== user.role) {
        setRole(hub.store, username, req.body.role)
        hub.audit({
          actor: actor(req),
          action: 'user.role',
          target: username,
          ok: true,
          detail: `${user.role} → ${req.body.role}`,
        })
      }
      await hub.store.commit()
      return view(findUser(hub.store, username) ?? user)
    },
  )

  app.delete(
    '/users/:username',
    { onRequest: admin, schema: { tags, params: Params, response: { 204: NoContent } } },
    async (req, reply) => {
      const user = findUser(hub.store, req.params.username)
      if (!user) throw new HubError('VIGIL_NOT_FOUND', `no user ${req.params.username}`)
      if (user.id === req.user?.id) throw new HubError('VIGIL_CONFLICT', 'you cannot delete yourself')
      if (user.role === 'admin' && admins() === 1)
        throw new HubError('VIGIL_CONFLICT', 'the last admin cannot be deleted')
      hub.store.users.delete(user.id)
      for (const s of hub.store.sessions.values()) if (s.userId === user.id) hub.store.sessions.delete(s.id)
      hub.events.emit('session-ended', { userId: user.id })
      hub.audit({ actor: actor(req), action: 'user.delete', target: user.username, ok: true })
      await hub.store.commit()
      return reply.code(204).send(null)
    },
  )
}
