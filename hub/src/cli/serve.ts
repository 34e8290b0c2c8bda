/** `vigil-hub serve [--local-agent]`: runs the hub until Ctrl-C, then shuts everything down cleanly. */
import { resolve } from 'node:path'
import type { HubConfig } from '../config.js'
import { type LocalAgent, startLocalAgent } from '../local-agent.js'
import { startHub } from '../server.js'
import { storeLocation } from '../store/open.js'
import { makeDataDirPrivate } from './private-data.js'

export const SERVE_HELP = `Usage: vigil-hub serve [--local-agent]

Runs the hub: embedded MQTT broker (or VIGIL_MQTT_URL), HTTP API, live stream, dashboard.
  --local-agent   also enroll this machine (once) and run its agent, stopped with the hub

Environment: VIGIL_HTTP_PORT (8080), VIGIL_MQTT_PORT (1883), VIGIL_DATA_DIR (./data), VIGIL_DATABASE_URL,
VIGIL_ADMIN_PASSWORD, VIGIL_MQTT_URL, VIGIL_DASHBOARD_DIR, VIGIL_TLS_CERT/VIGIL_TLS_KEY (HTTPS and
MQTT over TLS), VIGIL_METRICS_TOKEN, VIGIL_TRUST_PROXY, VIGIL_MQTT_PUBLIC_URL, VIGIL_LOG_LEVEL; all in
hub/README.md. The data directory is kept private (umask 077).`

/** Signals closer together than this are one Ctrl-C delivered twice. */
const SAME_CTRL_C_MS = 1000

export async function serveCommand(argv: string[], config: HubConfig): Promise<number> {
  const unknown = argv.filter((a) => a !== '--local-agent')
  if (unknown.length > 0) {
    process.stderr.write(`vigil-hub serve: unknown option ${unknown[0]}\n\n${SERVE_HELP}\n`)
    return 2
  }
  await makeDataDirPrivate(config.dataDir)
  const hub = await startHub(config)
  const out = (line: string) => process.stdout.write(`${line}\n`)
  const port = new URL(hub.httpUrl).port
  out('')
  out(`Vigil hub is running.  Dashboard: http://localhost:${port}`)
  out(`  MQTT: ${hub.mqttUrl}    data: ${storeLocation(config)}`)
  if (hub.app.hub.generatedAdminPassword) {
    out(`  Sign in as admin with the generated password: ${hub.app.hub.generatedAdminPassword}`)
    out('  (shown once; set VIGIL_ADMIN_PASSWORD before the first start to choose it)')
  } else {
    out('  Sign in as admin (password from VIGIL_ADMIN_PASSWORD or printed at the first start).')
  }
  const feeds = hub.app.feeds?.status()
  if (feeds && feeds.enabledFeeds === 0) {
    out('  Advisory feeds are off until you enable them (the hub does not phone out unasked):')
    out('    Dashboard → Feeds → Enable on a preset (CISA CSAF, OSV Debian/Ubuntu/Alpine, KEV, EPSS), or')
    out('    vigil-hub feeds list   then   vigil-hub feeds enable <id>')
    out('  Without internet access: vigil-hub feeds import BUNDLE.zip (made by vigil-hub feeds export),')
    out('    or vigil-hub import <files|dir> / Dashboard → Feeds → Import advisories.')
  }
  if (feeds?.notice) out(`  ${feeds.notice}`)
  let agent: LocalAgent | undefined
  if (argv.includes('--local-agent')) {
    try {
      agent = await startLocalAgent(hub.app, hub.httpUrl)
      // `vigil-agent status|doctor` look in ./data/local-agent themselves when run from here
      const dirOption = agent.deviceDir === resolve('data', 'local-agent') ? '' : ` --dir ${agent.deviceDir}`
      out(`  Local agent running as device ${agent.deviceId} (state in ${agent.deviceDir}).`)
      out(`  Check it as a technician would: pnpm exec vigil-agent status${dirOption}`)
    } catch (err) {
      process.stderr.write(`vigil-hub: ${(err as Error).message}\n`)
      await hub.close()
      return 1
    }
  }
  out('Press Ctrl-C to stop.')
  await new Promise<void>((resolve) => {
    let stoppingSince: number | undefined
    const stop = (signal: NodeJS.Signals) => {
      if (stoppingSince !== undefined) {
        // One Ctrl-C arrives twice: from the terminal (to the whole foreground process group) and
        // forwarded by `pnpm start`. Only a second Ctrl-C, a moment later, forces the exit.
        if (Date.now() - stoppingSince < SAME_CTRL_C_MS) return
        process.stderr.write('forced exit\n')
        process.exit(130)
      }
      stoppingSince = Date.now()
      out(`\n${signal}: stopping…`)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await agent?.stop()
  await hub.close()
  out('Vigil hub stopped; data flushed.')
  return 0
}
