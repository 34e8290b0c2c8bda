/**
 * Debian's Chromium driven by playwright-core, launched the same way by the end-to-end tests and the
 * benchmarks: headless, no sandbox (we run as root in CI), no background traffic, and a fresh empty
 * profile in a temporary directory that is removed on close.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium, type Page } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const

export interface LaunchOptions {
  viewport?: { width: number; height: number }
  executablePath?: string
}

export interface LaunchedBrowser {
  context: BrowserContext
  /** The first page of the context (Chromium opens one with a persistent profile). */
  page: Page
  userDataDir: string
  close(): Promise<void>
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = opts.executablePath ?? CHROMIUM_PATH
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install it with "apt-get install -y chromium" ` +
        '(the root "pnpm test" does this through test/scripts/ensure-system-deps.mjs)',
    )
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'vigil-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: opts.viewport ?? { width: 1440, height: 900 },
    })
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true })
    throw err
  }
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    userDataDir,
    async close() {
      await context.close().catch(() => {})
      await rm(userDataDir, { recursive: true, force: true })
    },
  }
}

/** Signs in through the dashboard's own form (labels "Username", "Password", button "Sign in"). */
export async function signInThroughForm(page: Page, baseUrl: string, username: string, password: string) {
  await page.goto(`${baseUrl}/sign-in`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'))
}

export interface FrameStats {
  frames: number
  meanMs: number
  p95Ms: number
  maxMs: number
  /** Frames that took longer than 2 × 16.7 ms (a dropped frame at 60 Hz). */
  longFrames: number
}

export function frameStats(deltas: readonly number[]): FrameStats {
  const sorted = [...deltas].sort((a, b) => a - b)
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    frames: sorted.length,
    meanMs: sorted.length ? sum / sorted.length : 0,
    p95Ms: pick(0.95),
    maxMs: sorted[sorted.length - 1] ?? 0,
    longFrames: sorted.filter((d) => d > 33.4).length,
  }
}

/**
 * Scrolls the element matching `selector` by `stepPx` every animation frame for `frames` frames and
 * returns the time between frames (ms), as the browser rendered them.
 */
export async function scrollFrameTimes(
  page: Page,
  selector: string,
  opts: { frames?: number; stepPx?: number } = {},
): Promise<number[]> {
  const frames = opts.frames ?? 180
  const step = opts.stepPx ?? 360
  return page.evaluate(`new Promise((resolve, reject) => {
    const el = document.querySelector(${JSON.stringify(selector)})
    if (!el) return reject(new Error('nothing matches ${selector.replaceAll("'", '')}'))
    const deltas = []
    let last = 0
    let n = 0
    const tick = (now) => {
      if (last) deltas.push(now - last)
      last = now
      el.scrollTop = (el.scrollTop + ${step}) % Math.max(1, el.scrollHeight - el.clientHeight)
      if (++n <= ${frames}) requestAnimationFrame(tick)
      else resolve(deltas)
    }
    requestAnimationFrame(tick)
  })`)
}
