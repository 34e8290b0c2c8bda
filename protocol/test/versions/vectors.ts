/** Reads the comparison vectors in testdata/versions (one `a <op> b` per line). */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const VERSIONS_DATA = fileURLToPath(new URL('../../../testdata/versions/', import.meta.url))

export interface Vector {
  where: string
  a: string
  b: string
  expected: -1 | 0 | 1
}

const OPS = { '<': -1, '=': 0, '>': 1 } as const

/** Parses a vector file: blank lines and `#`/`//` comments skipped; every other line must parse. */
export function readVectors(relative: string): Vector[] {
  const lines = readFileSync(VERSIONS_DATA + relative, 'utf8').split('\n')
  const out: Vector[] = []
  lines.forEach((line, index) => {
    const text = line.trim()
    if (text === '' || text.startsWith('#') || text.startsWith('//')) return
    const m = /^(\S+) ([<=>]) (\S+)$/.exec(text)
    if (!m) throw new Error(`${relative}:${index + 1}: unreadable vector ${JSON.stringify(line)}`)
    const op = m[2] as keyof typeof OPS
    out.push({ where: `${relative}:${index + 1}`, a: m[1]!, b: m[3]!, expected: OPS[op] })
  })
  return out
}

/** Every vector whose comparison (either way round) disagrees, as readable lines. */
export function disagreements(vectors: Vector[], compare: (a: string, b: string) => number): string[] {
  const bad: string[] = []
  for (const v of vectors) {
    let forward: number | string
    let backward: number | string
    try {
      forward = compare(v.a, v.b)
      backward = compare(v.b, v.a)
    } catch (error) {
      forward = backward = `threw ${(error as Error).message}`
    }
    if (forward !== v.expected || backward !== -v.expected) {
      const op = v.expected < 0 ? '<' : v.expected > 0 ? '>' : '='
      bad.push(`${v.where}: ${v.a} ${op} ${v.b} — got ${forward} (reverse ${backward})`)
    }
  }
  return bad
}
