import { readdir } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { tempDir, testHub } from '../helpers.ts'

async function auditSegments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /^audit\.\d+\.jsonl$/.test(n))
}

describe('audit retention (issue 14, finding 7)', () => {
  it('keeps at most auditRetentionSegments segments; the newest entries stay readable', async () => {
    const dir = await tempDir()
    const hub = await testHub({ auditRetentionSegments: 2, auditSegmentBytes: 4096 }, dir)
    const { hub: ctx } = hub.app
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 40; i++)
        ctx.audit({
          actor: 'test',
          action: 'probe',
          target: `r${round}-${i}`,
          ok: true,
          detail: 'x'.repeat(64),
        })
      await ctx.store.commit()
      await ctx.store.flush()
    }
    const segments = await auditSegments(dir)
    expect(segments.length).toBeGreaterThan(0)
    expect(segments.length).toBeLessThanOrEqual(2)
    const entries = await ctx.store.audit.read({ limit: 100_000, filter: (e) => e.action === 'probe' })
    expect(entries[0]?.target).toBe('r11-39')
    expect(entries.some((e) => e.target === 'r0-0')).toBe(false)
  })

  it('keeps the whole trail by default', async () => {
    const dir = await tempDir()
    const hub = await testHub({ auditSegmentBytes: 4096 }, dir)
    const { hub: ctx } = hub.app
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 40; i++)
        ctx.audit({
          actor: 'test',
          action: 'probe',
          target: `r${round}-${i}`,
          ok: true,
          detail: 'x'.repeat(64),
        })
      await ctx.store.commit()
      await ctx.store.flush()
    }
    expect((await auditSegments(dir)).length).toBeGreaterThan(2)
    const entries = await ctx.store.audit.read({ limit: 100_000, filter: (e) => e.action === 'probe' })
    expect(entries).toHaveLength(240)
  })
})
