/**
 * Debian package versions, ordered exactly as `dpkg --compare-versions` orders them (dpkg 1.21,
 * lib/dpkg/parsehelp.c `parseversion` and lib/dpkg/version.c `verrevcmp`).
 *
 * Form: `[epoch:]upstream[-revision]`.
 * - epoch: decimal integer (0 when absent, at most 2^31-1), compared numerically first;
 * - upstream runs up to the LAST hyphen, revision is what follows it (absent = empty = `0`);
 * - upstream and revision are compared alike, alternating a non-digit run and a digit run:
 *   non-digit runs character by character where `~` sorts before everything (even the end of the
 *   string, so `1.0~rc1` < `1.0`), then the end, then letters (ASCII), then every other character
 *   (ASCII + 256); digit runs numerically (leading zeros ignored, no size limit).
 *
 * Like dpkg, surrounding whitespace is trimmed; an empty version, embedded whitespace, a non-numeric,
 * empty or oversized epoch, nothing after the colon, an empty upstream or an empty revision are
 * errors (`VersionError`). Versions dpkg merely warns about (upstream not starting with a digit,
 * characters outside `[A-Za-z0-9.+~-:]`) are compared as dpkg compares them.
 */
import { compareDigits, memoize, type Ordering, sign, VersionError } from './types.js'

export interface DebVersion {
  epoch: number
  upstream: string
  revision: string
}

const MAX_EPOCH = 2147483647

export function parseDebVersion(input: string): DebVersion {
  const fail = (reason: string): never => {
    throw new VersionError('deb', input, reason)
  }
  const text = input.trim()
  if (text === '') fail('version string is empty')
  if (/\s/.test(text)) fail('version string has embedded spaces')
  let epoch = 0
  let rest = text
  const colon = text.indexOf(':')
  if (colon >= 0) {
    const epochText = text.slice(0, colon)
    if (!/^\d/.test(epochText)) fail('epoch in version is empty')
    if (!/^\d+$/.test(epochText)) fail('epoch in version is not number')
    epoch = Number(epochText)
    if (epoch > MAX_EPOCH) fail('epoch in version is too big')
    rest = text.slice(colon + 1)
    if (rest === '') fail('nothing after colon in version number')
  }
  const hyphen = rest.lastIndexOf('-')
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : ''
  if (hyphen >= 0 && revision === '') fail('revision number is empty')
  if (upstream === '') fail('version number is empty')
  return { epoch, upstream, revision }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')

/** dpkg's `order()`: the weight of one character of a non-digit run (undefined = end of string). */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0
  if (isAlpha(c)) return c.charCodeAt(0)
  if (c === '~') return -1
  return c.charCodeAt(0) + 256
}

/** dpkg's `verrevcmp` for one upstream version or one revision. */
export function compareDebPart(a: string, b: string): Ordering {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i])
      const bc = order(b[j])
      if (ac !== bc) return sign(ac - bc)
      i++
      j++
    }
    let di = i
    while (isDigit(a[di])) di++
    let dj = j
    while (isDigit(b[dj])) dj++
    const digits = compareDigits(a.slice(i, di), b.slice(j, dj))
    if (digits !== 0) return digits
    i = di
    j = dj
  }
  return 0
}

const parseCached = memoize(parseDebVersion)

export function compareDeb(a: string, b: string): Ordering {
  const x = parseCached(a)
  const y = parseCached(b)
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1
  return compareDebPart(x.upstream, y.upstream) || compareDebPart(x.revision, y.revision)
}
