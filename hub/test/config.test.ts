import { describe, expect, it } from 'vitest'
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
})
