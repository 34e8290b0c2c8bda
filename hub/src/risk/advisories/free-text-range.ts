/**
 * Version expressions written as prose (issue 17 point 4): "all versions prior to 4.12", "versions 2.0
 * through 2.3", "2.3.6 and below", "<= 2.01 (end-of-life Nov 2017)", "< 3.x". `parseRange` refuses
 * them (free text is not a range); here the few unambiguous phrasings are read into a range and the
 * reading is said. A finding decided by a reading is `review`: a person confirms what the prose meant.
 * Anything else stays unread (`null`) and every firmware is `review`.
 */
import { parseRange, rangeContains, type VersionRange } from './ranges.js'

export interface FreeTextReading {
  range: VersionRange
  /** The range it was read as, e.g. `< 4.12`. */
  read: string
  /** What was set aside: a remark in parentheses, a platform condition. */
  remark: string | null
  /** One-letter revisions: `contains` compares letters, not versions. */
  letters?: boolean
}

/** Whether `version` is inside a reading; undefined when it cannot tell. */
export function readingContains(r: FreeTextReading, version: string): boolean | undefined {
  if (!r.letters) return rangeContains(r.range, version)
  const v = version.trim().toUpperCase()
  const c = r.range.constraints[0]
  if (!/^[A-Z]$/.test(v) || c === undefined) return undefined
  const cmp = v < c.version ? -1 : v > c.version ? 1 : 0
  return { '<': cmp < 0, '<=': cmp <= 0, '>': cmp > 0, '>=': cmp >= 0, '=': cmp === 0, '!=': cmp !== 0 }[
    c.comparator
  ]
}

const V = '[vV]?[0-9][0-9A-Za-z.+_-]*'
const BELOW = '(?:prior to|before|earlier than|older than|lower than|below|up to but not including)'
const AT_MOST = '(?:and|or) (?:below|earlier|prior|older|lower|before)'

/** [pattern, constraint builder]; patterns are tried on the text with its remark removed. */
const PHRASES: [RegExp, (m: RegExpExecArray) => string][] = [
  [new RegExp(`^(?:all )?(?:versions? )?${BELOW} (?:versions? )?(${V})$`, 'i'), (m) => `<${m[1]}`],
  [new RegExp(`^(?:all )?(?:versions? )?(${V}) ${AT_MOST}$`, 'i'), (m) => `<=${m[1]}`],
  [
    new RegExp(`^(?:all )?(?:versions? )?(${V}) (?:and|or) (?:later|newer|above|higher)$`, 'i'),
    (m) => `>=${m[1]}`,
  ],
  [
    new RegExp(
      `^(?:all )?(?:versions? )?(?:from )?(${V}) (?:through|thru|to|up to and including) (${V})$`,
      'i',
    ),
    (m) => `>=${m[1]}|<=${m[2]}`,
  ],
  [new RegExp(`^(?:all )?(?:versions? )?(${V}\\.[xX*])$`, 'i'), (m) => `${m[1]}`],
  // "< 3.x": below the 3 series.
  [new RegExp(`^<\\s*(${V})\\.[xX*]$`), (m) => `<${m[1]}`],
  [new RegExp(`^(<=|>=|<|>|=)\\s*(${V})$`), (m) => `${m[1]}${m[2]}`],
]

/** "<= 2.01 (end-of-life Nov 2017)", "<=11.2 on Windows 8.1 with IIS 7.5": the version part and the remark. */
function splitRemark(text: string): [string, string | null] {
  const paren = /^(.*?)\s*\(([^()]*)\)$/.exec(text)
  if (paren?.[1] && paren[2]) return [paren[1], paren[2]]
  const on = /^(.*?\d[0-9A-Za-z.]*)\s+((?:on|with|running|for)\s+.*)$/i.exec(text)
  if (on?.[1] && on[2]) return [on[1], on[2]]
  return [text, null]
}

/** "<= K": revisions written as one letter, compared alphabetically (the generic ordering needs a digit). */
function letterRevision(text: string): FreeTextReading | null {
  const m = /^(<=|<|>=|>)\s*([A-Za-z])$/.exec(text)
  if (m?.[1] === undefined || m[2] === undefined) return null
  const op = m[1]
  const bound = m[2].toUpperCase()
  return {
    range: {
      raw: text,
      scheme: 'generic',
      all: false,
      constraints: [{ comparator: op as '<=', version: bound }],
    },
    read: `${op} revision ${bound} (letters in alphabetical order)`,
    remark: null,
    letters: true,
  }
}

export function readFreeText(raw: string): FreeTextReading | null {
  const text = raw.replace(/\s+/g, ' ').trim()
  const letters = letterRevision(text)
  if (letters !== null) return letters
  if (text === '' || /\|/.test(text)) return null
  const [core, remark] = splitRemark(text)
  for (const [re, build] of PHRASES) {
    const m = re.exec(core.trim())
    if (m === null) continue
    const expr = build(m)
    const parsed = parseRange(expr, 'generic')
    if (!parsed.ok) return null
    const read = parsed.range.constraints.map((c) => `${c.comparator} ${c.version}`).join(' and ')
    return { range: parsed.range, read, remark }
  }
  return null
}
