import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir, testHub } from '../helpers.ts'

describe('dashboard serving', () => {
  it('serves the built dashboard with an SPA fallback, never for API paths', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'assets'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><div id="app"></div>')
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)')
    const hub = await testHub({ dashboardDir: dir })
    const index = await hub.app.inject({ method: 'GET', url: '/' })
    expect(index.body).toContain('id="app"')
    const asset = await hub.app.inject({ method: 'GET', url: '/assets/app.js' })
    expect(asset.headers['content-type']).toMatch(/javascript/)
    const deep = await hub.app.inject({ method: 'GET', url: '/devices/abc?tab=telemetry' })
    expect(deep.statusCode).toBe(200)
    expect(deep.body).toContain('id="app"')
    const api = await hub.app.inject({ method: 'GET', url: '/api/v1/unknown' })
    expect(api.statusCode).toBe(404)
    expect(api.json().error.code).toBe('VIGIL_NOT_FOUND')
    const post = await hub.app.inject({ method: 'POST', url: '/devices/abc' })
    expect(post.statusCode).toBe(404)
  })

  it('says the dashboard is not built when there is none', async () => {
    const hub = await testHub({ dashboardDir: await tempDir() })
    const res = await hub.app.inject({ method: 'GET', url: '/' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toMatch(/dashboard is not built/)
  })
})
