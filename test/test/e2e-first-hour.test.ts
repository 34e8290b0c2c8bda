/**
 * Issue 18, a newcomer's first hour, in Debian's Chromium: the hub started as `pnpm start` starts it (the
 * built `vigil-hub serve --local-agent`, a child process in an empty data directory, reading this machine's
 * dpkg status), signed in with the admin password, the local device online, the plain "no advisories"
 * notice, and the register and the printable maturity report readable at 1,280 and 1,440 px (no
 * horizontal overflow). Screenshots are kept in test/artifacts/first-hour/ (git-ignored) for a person to
 * look at. The first load logs no console error (it used to log a 401 for `GET /api/v1/session`).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchChromium, signInThroughForm } from '../src/browser.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const ARTIFACTS = fileURLToPath(new URL('../artifacts/first-hour/', import.meta.url))
const PASSWORD = 'first-hour admin password'
const WAIT = { timeout: 20_000 }
const WIDTHS = [1280, 1440] as const

let child: ChildProcess
let dataDir: string
let output = ''
let baseUrl: string
let browser: LaunchedBrowser
let page: Page
const consoleErrors: string[] = []

async function overflow(p: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return p.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })')
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-first-hour-'))
  child = spawn(process.execPath, [join(ROOT, 'hub/dist/bin/vigil-hub.js'), 'serve', '--local-agent'], {
    cwd: dataDir,
    env: {
      ...process.env,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_HTTP_PORT: '0',
      VIGIL_MQTT_PORT: '0',
      VIGIL_ADMIN_PASSWORD: PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  await new Promise<void>((ready, fail) => {
    const poll = setInterval(() => {
      if (output.includes('Press Ctrl-C to stop.')) {
        clearInterval(poll)
        ready()
      } else if (child.exitCode !== null) {
        clearInterval(poll)
        fail(new Error(`vigil-hub serve exited early:\n${output}`))
      }
    }, 100)
  })
  const url = /Dashboard: (http:\/\/\S+)/.exec(output)?.[1]
  if (!url) throw new Error(`no dashboard address printed:\n${output}`)
  baseUrl = url.replace('localhost', '127.0.0.1')
  await mkdir(ARTIFACTS, { recursive: true })
  browser = await launchChromium({ viewport: { width: 1440, height: 900 } })
  page = browser.page
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} @ ${m.location().url}`)
  })
  page.on('pageerror', (e) => consoleErrors.push(e.message))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  if (child && child.exitCode === null) {
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGINT')
    await exited
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe("a newcomer's first hour with pnpm start's hub", () => {
  it('the first load asks whether it is signed in without a console error, and offers the sign-in form', async () => {
    await page.goto(baseUrl)
    await page.getByLabel('Username').waitFor(WAIT)
    await page.screenshot({ path: join(ARTIFACTS, '00-sign-in.png') })
    expect(consoleErrors).toEqual([])
  })

  it('signs in with the admin password and sees this machine online, and that the hub holds no advisories', async () => {
    await signInThroughForm(page, baseUrl, 'admin', PASSWORD)
    await page.goto(`${baseUrl}/devices`)
    // #15 Defaults: the feeds are off, and the start text says how to enable them or import a bundle
    expect(output).toMatch(/Advisory feeds are off until you enable them/)
    expect(output).toMatch(/vigil-hub feeds enable <id>/)
    expect(output).toMatch(/vigil-hub feeds import BUNDLE\.zip/)
    const device = /Local agent running as device ([\w-]{10,})/.exec(output)?.[1]
    expect(device).toBeDefined()
    await page.getByText('Online').first().waitFor(WAIT)
    await page.goto(`${baseUrl}/fleet`)
    const notice = page.getByRole('alert').filter({ hasText: 'No advisories.' })
    await notice.waitFor(WAIT)
    await page.screenshot({ path: join(ARTIFACTS, '01-fleet.png'), fullPage: true })
    // the device page says it too: "0 findings" there would read as a clean device
    await page.goto(`${baseUrl}/devices/${device}`)
    await page.getByRole('alert').filter({ hasText: 'No advisories.' }).waitFor(WAIT)
    expect(consoleErrors).toEqual([])
  })

  for (const width of WIDTHS) {
    it(`the register and the maturity report have no horizontal overflow at ${width} px`, async () => {
      await page.setViewportSize({ width, height: 900 })
      await page.goto(`${baseUrl}/register`)
      await page.getByRole('heading', { name: 'Risk register' }).waitFor(WAIT)
      await page.getByRole('alert').filter({ hasText: 'No advisories.' }).waitFor(WAIT)
      await page.screenshot({ path: join(ARTIFACTS, `02-register-${width}.png`), fullPage: true })
      const register = await overflow(page)
      expect(register.scrollWidth).toBeLessThanOrEqual(register.innerWidth)
      // the top bar keeps every link and the sign-out button on one line
      const heights = await page.evaluate(
        '[...document.querySelectorAll(".topbar nav a, .topbar button")].map((e) => e.getBoundingClientRect().height)',
      )
      expect(Math.max(...(heights as number[]))).toBeLessThan(40)

      await page.goto(`${baseUrl}/api/v1/maturity.html`)
      await page.locator('h1').first().waitFor(WAIT)
      await page.screenshot({ path: join(ARTIFACTS, `03-maturity-report-${width}.png`), fullPage: true })
      const report = await overflow(page)
      expect(report.scrollWidth).toBeLessThanOrEqual(report.innerWidth)
    })
  }

  it('editable text areas look like the other editable fields, not disabled', async () => {
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto(`${baseUrl}/settings`)
    const area = page.locator('textarea#baseline-json')
    await area.waitFor(WAIT)
    expect(await area.isEditable()).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, '04-settings-1280.png'), fullPage: true })
    const look = (selector: string) =>
      page.evaluate(`(() => {
        const s = getComputedStyle(document.querySelector(${JSON.stringify(selector)}))
        return { background: s.backgroundColor, color: s.color, border: s.borderTopColor, opacity: s.opacity }
      })()`)
    const field = await look('.topbar ~ main input:not([type=file]):not([type=checkbox]):not([disabled])')
    expect(await look('textarea#baseline-json')).toEqual(field)
    expect(field).toMatchObject({ opacity: '1' })
  })
})
