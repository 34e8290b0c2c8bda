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
