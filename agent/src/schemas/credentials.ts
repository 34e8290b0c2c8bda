/** The schema of `<stateDir>/credentials.json` (validated through src/schemas/validators.ts). */
import { type Static, Type } from '@vigil/protocol'

export const Credentials = Type.Object({
  hubUrl: Type.String({ minLength: 1 }),
  deviceId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  mqtt: Type.Object({
    url: Type.String({ pattern: '^(mqtts?|wss?|tcp|ssl)://' }),
    username: Type.String({ minLength: 1 }),
    password: Type.String({ minLength: 1 }),
  }),
})
export type Credentials = Static<typeof Credentials>
