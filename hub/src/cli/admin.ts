/**
 * Offline administration on the data directory: `user add|passwd|role`, `token create`. Run them while
 * the hub is stopped (the store has one writer), or use the HTTP API of a running hub.
 */
import type { Role } from '@vigil/protocol'
import { createUser, setPassword, setRole } from '../auth/users.js'
import type { HubConfig } from '../config.js'
import { createEnrollmentToken } from '../devices/enrollment.js'
import { openStore } from '../store/open.js'
import type { Store } from '../store/types.js'
import { options, UsageError } from './args.js'

const ROLES: Role[] = ['admin', 'operator', 'technician', 'vendor']

export const USER_HELP = `Usage:
  vigil-hub user add <username> --role <admin|operator|technician|vendor> --password <pw>
  vigil-hub user passwd <username> --password <pw>
  vigil-hub user role <username> <admin|operator|technician|vendor>

Edits the users in VIGIL_DATA_DIR (or VIGIL_DATABASE_URL). Run while the hub is stopped.`

export const TOKEN_HELP = `Usage: vigil-hub token create [--uses <n>] [--expires-in <seconds>] [--note <text>]

Creates an enrollment token in VIGIL_DATA_DIR (or VIGIL_DATABASE_URL) and prints it. Run while the hub is stopped
(on a running hub: POST /api/v1/enrollment-tokens).`

async function withStore<T>(config: HubConfig, fn: (store: Store) => Promise<T> | T): Promise<T> {
  const store = await openStore({ ...config, flushIntervalMs: 60_000 })
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

function role(value: string | undefined): Role {
  const r = ROLES.find((x) => x === value)
  if (!r) throw new UsageError(`role must be one of ${ROLES.join(', ')}`)
  return r
}

const audit = (store: Store, action: string, target: string) =>
  store.audit.append({ ts: new Date().toISOString(), actor: 'cli', action, target, ok: true })

export async function userCommand(argv: string[], config: HubConfig): Promise<number> {
  const { values, positionals } = options(argv, { role: 'string', password: 'string' })
  const [sub, username, arg] = positionals
  if (!username) throw new UsageError('a username is required')
  const password = typeof values.password === 'string' ? values.password : undefined
  return withStore(config, async (store) => {
    if (sub === 'add') {
      if (!password) throw new UsageError('--password is required')
      const user = await createUser(store, {
        username,
        password,
        role: role(values.role as string | undefined),
      })
      audit(store, 'user.create', username)
      process.stdout.write(`created ${user.username} (${user.role})\n`)
    } else if (sub === 'passwd') {
      if (!password) throw new UsageError('--password is required')
      await setPassword(store, username, password)
      audit(store, 'user.password', username)
      process.stdout.write(`password of ${username} changed\n`)
    } else if (sub === 'role') {
      const user = setRole(store, username, role(arg))
      audit(store, 'user.role', username)
      process.stdout.write(`${user.username} is now ${user.role}\n`)
    } else {
      throw new UsageError(`unknown user subcommand ${sub ?? ''}`)
    }
    return 0
  })
}

export async function tokenCommand(argv: string[], config: HubConfig): Promise<number> {
  const { values, positionals } = options(argv, { uses: 'string', 'expires-in': 'string', note: 'string' })
  if (positionals[0] !== 'create') throw new UsageError(`unknown token subcommand ${positionals[0] ?? ''}`)
  const uses = values.uses === undefined ? 1 : Number(values.uses)
  const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in'])
  if (!Number.isInteger(uses) || uses < 1) throw new UsageError('--uses must be a positive integer')
  if (expiresIn !== undefined && (!Number.isInteger(expiresIn) || expiresIn < 60)) {
    throw new UsageError('--expires-in must be at least 60 seconds')
  }
  return withStore(config, (store) => {
    const { token, record } = createEnrollmentToken(store, {
      uses,
      ...(expiresIn ? { expiresIn } : {}),
      ...(typeof values.note === 'string' ? { note: values.note } : {}),
      createdBy: 'cli',
    })
    audit(store, 'token.create', record.id)
    process.stdout.write(`${token}\n`)
    process.stderr.write(`(${record.uses} use(s), expires ${record.expiresAt})\n`)
    return 0
  })
}
