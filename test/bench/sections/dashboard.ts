/**
 * The dashboard in Debian's Chromium (playwright-core, launcher from test/src/browser.ts) against the
 * real hub with `dashboardDevices` devices connected and reporting telemetry every 10 s. An init script
 * notes when the `fleet:snapshot` arrives (WebSocket or long-polling) and, each animation frame, when
 * the device table shows every row; then the table is scrolled for 3 s and the frame times
 * (requestAnimationFrame deltas) are kept.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchChromium } from '../../src/browser.ts'
import { type Section, Skip } from '../lib/context.ts'
import { prepareFleet } from '../lib/fleet.ts'
import { startHubProcess } from '../lib/hub.ts'
import { REPO_ROOT, type Worker } from '../lib/proc.ts'
import { type CpuProfile, summariseProfile } from '../lib/profile.ts'
import { percentile, round, sortNumbers, waitFor } from '../lib/stats.ts'
import { connectFleet } from './connections.ts'

// Page scripts are plain JavaScript text: functions compiled by tsx carry helpers the page lacks.

/** Runs in the page before the app: stamps data arrival and the first full render of the table. */
const probe = (expectedRows: number) => `(() => {
  const seen = (text) => {
    if (window.__snapshotAt === undefined && typeof text === 'string' && text.includes('fleet:snapshot')) {
      window.__snapshotAt = performance.now()
    }
  }
  const NativeWs = window.WebSocket
  window.WebSocket = class extends NativeWs {
    constructor(url, protocols) {
      super(url, protocols)
      this.addEventListener('message', (e) => seen(e.data))
    }
  }
  // Registered at open(), before the client sets onreadystatechange, so this listener runs first.
  const open = XMLHttpRequest.prototype.open
  XMLHttpRequest.prototype.open = function (...args) {
    this.addEventListener('readystatechange', () => {
      if (this.readyState === 4) seen(this.responseText)
    })
    return open.apply(this, args)
  }
  const poll = () => {
    const table = document.querySelector('[role="table"][aria-label="Devices"]')
    if (window.__snapshotAt !== undefined && table &&
        table.getAttribute('aria-rowcount') === '${expectedRows + 1}' && table.querySelector('[data-index]')) {
      window.__renderedAt = performance.now()
      return
    }
    requestAnimationFrame(poll)
  }
  requestAnimationFrame(poll)
})()`

/** Scrolls the table's viewport 180 px per frame for `ms`, answering the frame deltas. */
const scroll = (ms: number) => `new Promise((resolve, reject) => {
  const vp = document.querySelector('.vt__viewport')
  if (!vp) return reject(new Error('no .vt__viewport in the device table'))
  const deltas = []
  let last = performance.now()
  const end = last + ${ms}
  let dir = 1
  const frame = (now) => {
    deltas.push(now - last)
    last = now
    if (vp.scrollTop + vp.clientHeight >= vp.scrollHeight - 1) dir = -1
    if (vp.scrollTop <= 0) dir = 1
    vp.scrollTop += dir * 180
    if (now < end) requestAnimationFrame(frame)
    else resolve(deltas.slice(2))
  }
  requestAnimationFrame(frame)
})`

export const dashboard: Section = {
  name: 'dashboard',
  async run(ctx) {
    if (!existsSync(join(REPO_ROOT, 'dashboard', 'dist', 'index.html'))) {
      throw new Skip('dashboard/dist is missing (dashboard not built)')
    }
    if (!existsSync('/usr/bin/chromium'))
      throw new Skip('Chromium is not installed (apt-get install -y chromium)')
    const count = ctx.sizes.dashboardDevices
    const fleet = await prepareFleet(ctx.sizes.fleet)
    const hub = await startHubProcess({
      template: fleet.template,
      advisories: true,
      ...(ctx.cpuProfDir ? { cpuProfDir: ctx.cpuProfDir } : {}),
    })
    let workers: Worker[] = []
    try {
      const c = await connectFleet(hub, fleet.devices.slice(0, count), {
        images: ctx.sizes.images,
        answerCommands: false,
        telemetryEverySec: 10,
        timeoutMs: 60_000,
      })
      workers = c.workers
      const browser = await launchChromium({ viewport: { width: 1440, height: 900 } })
      try {
        const { page, context } = browser
        const res = await context.request.post(`${hub.httpUrl}/api/v1/session`, {
          data: { username: 'admin', password: 'bench-admin-password' },
        })
        if (!res.ok()) throw new Error(`sign-in: ${res.status()}`)
        await page.addInitScript({ content: probe(fleet.devices.length) })
        await page.goto(`${hub.httpUrl}/devices`)
        // Polled with evaluate: the hub's CSP forbids the string evaluation waitForFunction would use.
        const rendered = await waitFor(
          async () => (await page.evaluate('window.__renderedAt !== undefined')) === true,
          60_000,
        )
        if (!rendered) {
          const state = await page.evaluate(
            `({ url: location.href, snapshot: window.__snapshotAt ?? null,
                rowcount: document.querySelector('[role="table"]')?.getAttribute('aria-rowcount') ?? null,
                text: document.body.innerText.replace(/\\s+/g, ' ').slice(0, 300) })`,
          )
          if (ctx.cpuProfDir) await page.screenshot({ path: join(ctx.cpuProfDir, 'dashboard-timeout.png') })
          throw new Error(
            `the device table did not show ${fleet.devices.length} rows in 60 s (${JSON.stringify(state)})`,
          )
        }
        const t = (await page.evaluate(
          '({ snapshotAt: window.__snapshotAt, renderedAt: window.__renderedAt })',
        )) as {
          snapshotAt: number
          renderedAt: number
        }
        const deltas = sortNumbers((await page.evaluate(scroll(3000))) as number[])
        // A second scroll under the CPU profiler (not timed): where the page's main thread goes.
        const cdp = await context.newCDPSession(page)
        await cdp.send('Profiler.enable')
        await cdp.send('Profiler.start')
        await page.evaluate(scroll(3000))
        const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile }
        if (ctx.cpuProfDir)
          writeFileSync(join(ctx.cpuProfDir, 'dashboard-scroll.cpuprofile'), JSON.stringify(profile))
        const summary = summariseProfile(profile, 6)
        return {
          devices: fleet.devices.length,
          devicesOnline: c.online,
          firstRenderMs: round(t.renderedAt - t.snapshotAt),
          navigationToTableMs: round(t.renderedAt),
          scrollP95FrameMs: round(percentile(deltas, 95)),
          scrollP50FrameMs: round(percentile(deltas, 50)),
          scrollMaxFrameMs: round(deltas[deltas.length - 1] ?? Number.NaN),
          scrollFrames: deltas.length,
          scrollProfileTop: summary.byFunction.map((l) => `${l.pct}% ${l.name}`),
        }
      } finally {
        await browser.close()
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop(10_000)))
      await hub.stop()
    }
  },
}
