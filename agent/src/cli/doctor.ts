/**
 * `vigil-agent doctor`: why can't this device reach the hub? Credentials, DNS, TCP, TLS, MQTT login,
 * hub HTTP and clock skew, each with a plain-language verdict. Exit 0 when everything is fine.
 */
import { lookup } from 'node:dns/promises'
import { readFile } from 'node:fs/promises'
import { connect as tcpConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import mqtt from 'mqtt'
import { type Credentials, readCredentials } from '../credentials.js'
import { describeLinkError } from '../link/mqtt-link.js'
import { type Io, parse } from './args.js'
import { paint, table } from './format.js'
import { technicianConfig } from './state-dir.js'
import { readStatus } from './status.js'

export type Verdict = 'ok' | 'warn' | 'fail' | 'skip'
export interface Finding {
  check: string
  verdict: Verdict
  detail: string
}

const TIMEOUT = 5000
const PORTS: Record<string, number> = {
  'mqtt:': 1883,
  'tcp:': 1883,
  'mqtts:': 8883,
  'ssl:': 8883,
  'ws:': 80,
  'wss:': 443,
}

function tcp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host, port, timeout: TIMEOUT }, () => {
      s.destroy()
      resolve()
    })
    s.on('timeout', () => {
      s.destroy()
      reject(Object.assign(new Error(`no answer within ${TIMEOUT / 1000} s`), { code: 'ETIMEDOUT' }))
    })
    s.on('error', reject)
  })
}

function tls(host: string, port: number, ca: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host, port, servername: host, timeout: TIMEOUT, ...(ca ? { ca } : {}) }, () => {
      const cert = s.getPeerCertificate()
      s.destroy()
      resolve(`certificate for ${cert.subject?.CN ?? host}, valid until ${cert.valid_to}`)
    })
    s.on('timeout', () => {
      s.destroy()
      reject(new Error('TLS handshake timed out'))
    })
    s.on('error', reject)
  })
}

function mqttLogin(c: Credentials, ca: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // clean:false so the persistent session (queued commands, subscriptions) is left as it is
    const client = mqtt.connect(c.mqtt.url, {
      clientId: c.deviceId,
      username: c.mqtt.username,
      password: c.mqtt.password,
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: TIMEOUT,
      ...(ca ? { ca } : {}),
    })
    client.once('connect', () => client.end(false, {}, () => resolve()))
    client.once('error', (err) => {
      client.end(true)
      reject(err)
    })
  })
}

async function step(
  findings: Finding[],
  check: string,
  fn: () => Promise<Omit<Finding, 'check'>>,
  /** what a refused connection failed to reach */
  what?: string,
): Promise<boolean> {
  try {
    const r = await fn()
    findings.push({ check, ...r })
    return r.verdict !== 'fail'
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string; message?: string } }
    const d = describeLinkError(
      e.code === undefined && e.cause?.code
        ? Object.assign(new Error(e.cause.message ?? e.message), { code: e.cause.code })
        : e,
      what,
    )
    findings.push({ check, verdict: 'fail', detail: d.message })
    return false
  }
}

export async function diagnose(stateDir: string, statusIntervalSec: number, ca?: string): Promise<Finding[]> {
  const f: Finding[] = []
  let creds: Credentials | undefined
  await step(f, 'credentials', async () => {
    creds = await readCredentials(stateDir)
    return { verdict: 'ok', detail: `enrolled as ${creds.deviceId} with ${creds.hubUrl}` }
  })
  if (!creds) return f
  const c = creds
  const url = new URL(c.mqtt.url)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port) || PORTS[url.protocol] || 1883
  const dnsOk = await step(f, 'dns', async () => {
    const addrs = await lookup(host, { all: true })
    return { verdict: 'ok', detail: `${host} resolves to ${addrs.map((a) => a.address).join(', ')}` }
  })
  const tcpOk =
    dnsOk &&
    (await step(f, 'tcp', async () => {
      await tcp(host, port)
      return { verdict: 'ok', detail: `${host}:${port} accepts connections` }
    }))
  if (url.protocol === 'mqtts:' || url.protocol === 'ssl:' || url.protocol === 'wss:') {
    if (tcpOk) await step(f, 'tls', async () => ({ verdict: 'ok', detail: await tls(host, port, ca) }))
  } else
    f.push({
      check: 'tls',
      verdict: 'warn',
      detail: `${url.protocol}// is not encrypted; use mqtts:// outside a trusted network`,
    })
  const status = await readStatus(stateDir, statusIntervalSec, new Date())
  if (status.daemon === 'running' && status.last?.connected) {
    f.push({
      check: 'mqtt login',
      verdict: 'ok',
      detail: 'the running agent is connected with these credentials',
    })
  } else if (tcpOk) {
    await step(f, 'mqtt login', async () => {
      await mqttLogin(c, ca)
      return { verdict: 'ok', detail: 'the broker accepts the device credentials' }
    })
  }
  await step(
    f,
    'hub http',
    async () => {
      const before = Date.now()
      const res = await fetch(new URL('/healthz', c.hubUrl), { signal: AbortSignal.timeout(TIMEOUT) })
      const after = Date.now()
      const date = res.headers.get('date')
      const http: Omit<Finding, 'check'> = {
        verdict: res.ok ? 'ok' : 'warn',
        detail: `${c.hubUrl} answers ${res.status}`,
      }
      if (date) {
        const skew = Math.round((new Date(date).getTime() - (before + after) / 2) / 1000)
        f.push({
          check: 'clock',
          verdict: Math.abs(skew) > 60 ? 'fail' : 'ok',
          detail:
            Math.abs(skew) > 60
              ? `this device's clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} the hub: fix NTP (manifest expiry and TLS depend on it)`
              : `within ${Math.max(1, Math.abs(skew))} s of the hub`,
        })
      }
      return http
    },
    `the hub's HTTP address ${c.hubUrl}`,
  )
  return f
}

export async function doctorCommand(argv: string[], io: Io): Promise<number> {
  const a = parse(argv, { dir: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } })
  const config = technicianConfig(a, io)
  const ca = config.mqttCaFile ? await readFile(config.mqttCaFile, 'utf8') : undefined
  const findings = await diagnose(config.stateDir, config.statusIntervalSec, ca)
  const failed = findings.some((x) => x.verdict === 'fail')
  if (a.json) io.out(JSON.stringify({ ok: !failed, findings }, null, 2))
  else {
    const p = paint(io.color)
    const colour = { ok: 'green', warn: 'yellow', fail: 'red', skip: 'gray' } as const
    io.out(
      table(
        ['check', 'verdict', 'detail'],
        findings.map((x) => [x.check, p(colour[x.verdict], x.verdict), x.detail]),
      ),
    )
    io.out(
      failed
        ? p('red', '\nthis device cannot report to the hub: fix the first failing check')
        : p('green', '\nthis device can reach the hub'),
    )
  }
  return failed ? 1 : 0
}
