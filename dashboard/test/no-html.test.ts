// @vitest-environment node
/**
 * Every string from a device or an advisory is data: no source file may render HTML from a string.
 * Vue's text interpolation escapes; these are the ways around it, and none may appear.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))
const FORBIDDEN = [
  /\bv-html\b/,
  /\binnerHTML\b/,
  /\bouterHTML\b/,
  /\binsertAdjacentHTML\b/,
  /document\.write\b/,
]

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
}

describe('no HTML rendering of strings', () => {
  it('finds the sources it guards', () => {
    expect(files(SRC).filter((f) => f.endsWith('.vue')).length).toBeGreaterThan(5)
  })

  it('has no v-html, innerHTML, outerHTML, insertAdjacentHTML or document.write in src/', () => {
    const hits: string[] = []
    for (const file of files(SRC)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const re of FORBIDDEN) if (re.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`)
        })
    }
    expect(hits).toEqual([])
  })
})
