import { describe, expect, it } from 'vitest'
import { hubClientId } from '../src/broker/plugin.ts'
import { ConfigError, loadHubConfig } from '../src/config.ts'

describe('loadHubConfig', () => {
  it('has the documented defaults and is frozen', () => {
    const c = loadHubConfig({}, {})
    expect(c).toMatchObject({ httpPort: 8080, mqttPort: 1883, dataDir: './data', logLevel: 'info' })
    expect(c.mqttUrl).toBeUndefined()
    expect(Object.isFrozen(c)).toBe(true)
  })
  it('reads VIGIL_* variables, overrides win', () => {
    const c = loadHubConfig(
      { httpPort: 0 },
      {
        VIGIL_HTTP_PORT: '9000',
        VIGIL_MQTT_PORT: '1884',
        VIGIL_DATA_DIR: '/tmp/x',
        VIGIL_MQTT_URL: 'mqtt://b:1883',
      },
    )
    expect(c).toMatchObject({ httpPort: 0, mqttPort: 1884, dataDir: '/tmp/x', mqttUrl: 'mqtt://b:1883' })
  })
  it('lists every error at once, naming the variable', () => {
    let error: unknown
    try {
      loadHubConfig(
        {},
        { VIGIL_HTTP_PORT: 'x', VIGIL_MQTT_PORT: '99999', VIGIL_TLS_CERT: '/c.pem', VIGIL_LOG_LEVEL: 'loud' },
      )
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems).toHaveLength(4)
    expect(problems.join('\n')).toMatch(
      /VIGIL_HTTP_PORT[\s\S]*VIGIL_MQTT_PORT[\s\S]*VIGIL_LOG_LEVEL[\s\S]*VIGIL_TLS_KEY/,
    )
  })
  it('mosquitto-dynsec needs an external broker, the hub user and one dynsec admin password', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadHubConfig({}, { VIGIL_MQTT_CREDENTIALS: 'mosquitto-dynsec', ...env })
        return []
      } catch (e) {
        return (e as ConfigError).problems
      }
    }
    expect(problems({}).join('\n')).toMatch(
      /VIGIL_MQTT_URL[\s\S]*VIGIL_MQTT_USERNAME[\s\S]*VIGIL_MQTT_DYNSEC_USERNAME[\s\S]*VIGIL_MQTT_DYNSEC_PASSWORD_FILE/,
    )
    const ok = {
      VIGIL_MQTT_URL: 'mqtt://b:1883',
      VIGIL_MQTT_USERNAME: 'hub',
      VIGIL_MQTT_PASSWORD: 'p',
      VIGIL_MQTT_DYNSEC_USERNAME: 'admin',
      VIGIL_MQTT_DYNSEC_PASSWORD_FILE: '/run/secrets/dynsec',
    }
    expect(problems(ok)).toEqual([])
    expect(problems({ ...ok, VIGIL_MQTT_DYNSEC_PASSWORD: 'x' })).toHaveLength(1)
    expect(problems({ ...ok, VIGIL_MQTT_DYNSEC_USERNAME: 'hub' })).toHaveLength(1)
  })
  it("the hub's MQTT client id is stable per machine and data directory unless configured", () => {
    const a = hubClientId({ dataDir: '/var/lib/vigil' }, 'gw.example')
    expect(a).toMatch(/^vigil-hub-gw\.example-[0-9a-f]{8}$/)
    expect(hubClientId({ dataDir: '/var/lib/vigil/' }, 'gw.example')).toBe(a)
    expect(hubClientId({ dataDir: '/var/lib/vigil2' }, 'gw.example')).not.toBe(a)
    expect(hubClientId({ dataDir: '/x', mqttClientId: 'hub-slot-1' })).toBe('hub-slot-1')
  })
})
