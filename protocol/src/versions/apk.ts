/**
 * Alpine (apk) package versions, following apk-tools and apk-package(5):
 *
 *   `number{.number}...{letter{number}}{_suffix{number}}...{~hash}{-r number}`
 *
 * Compared field by field:
 * 1. the dotted numbers, left to right. The first compares numerically; a later one compares as a
 *    string when either side has a leading zero (`1.02` < `1.1`, the Gentoo rule apk keeps),
 *    otherwise numerically. When one list is a prefix of the other, the longer one is newer
 *    (`1.0` > `1`, as apk says).
 * 2. the optional lower-case letter (none < `a` < … < `z`), then any digits right after it
 *    (`6.6.2p1` < `6.6.2p2`, accepted by apk);
 * 3. the `_suffix{number}` list, pairwise; a missing suffix counts as "no suffix", which ranks
 *    `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` < `_svn` < `_git` < `_hg` < `_p`, and equal
 *    suffixes compare by their number (absent = 0);
 * 4. the commit hash `~hex` is ignored (it cannot be ordered);
 * 5. text the grammar does not cover (before any hyphen): a version without it is newer than one
 *    with it, and two such texts compare as strings (`1.2` > `1.2_blah`, `.2` > `.1`);
 * 6. the revision `-rN` numerically (absent or `-r` = 0); a malformed revision part (`-r-1`,
 *    `-ruff`, `-1-r2`) counts as its leading number and sorts just below a well-formed one with the
 *    same number, and two malformed ones with equal numbers are equal.
 *
 * Only an empty or whitespace-containing version is a `VersionError`; like `apk version -t`, any
 * other text is ordered by the rules above. `isValidApkVersion` says whether it follows the grammar.
 */
import { compareDigits, compareStrings, memoize, type Ordering, VersionError } from './types.js'

const SUFFIX_RANK: Record<string, number> = {
  alpha: 0,
  beta: 1,
  pre: 2,
  rc: 3,
  cvs: 5,
  svn: 6,
  git: 7,
  hg: 8,
  p: 9,
}
const NO_SUFFIX = { rank: 4, number: '' }

export interface ApkVersion {
  numbers: string[]
  letter: string
  letterNumber: string
  suffixes: { rank: number; number: string }[]
  hash: string
  /** Unparsed text between the recognised parts and the revision ('' when none). */
  tail: string
  revision: string
  revisionWellFormed: boolean
}

export function parseApkVersion(input: string): ApkVersion {
  if (input === '') throw new VersionError('apk', input, 'version string is empty')
  if (/\s/.test(input)) throw new VersionError('apk', input, 'version string has whitespace')
  let rest = input
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(rest)
    if (m) rest = rest.slice(m[0].length)
    return m
  }
  const numbers = take(/^\d+(?:\.\d+)*/)?.[0].split('.') ?? []
  const letterMatch = take(/^([a-z])(\d*)/)
  const suffixes: ApkVersion['suffixes'] = []
  for (let m = take(/^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/); m; ) {
    suffixes.push({ rank: SUFFIX_RANK[m[1] ?? ''] ?? NO_SUFFIX.rank, number: m[2] ?? '' })
    m = take(/^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/)
  }
  const hash = take(/^~[0-9a-f]+/)?.[0] ?? ''
  const hyphen = rest.indexOf('-')
  const tail = hyphen >= 0 ? rest.slice(0, hyphen) : rest
  const revisionPart = hyphen >= 0 ? rest.slice(hyphen) : ''
  const revisionMatch = /^-r(\d*)/.exec(revisionPart)
  return {
    numbers,
    letter: letterMatch?.[1] ?? '',
    letterNumber: letterMatch?.[2] ?? '',
    suffixes,
    hash,
    tail,
    revision: revisionMatch?.[1] ?? '',
    revisionWellFormed: revisionPart === '' || revisionMatch?.[0] === revisionPart,
  }
}

/**
 * Whether `input` follows the apk version grammar, also allowing a dotted letter with a number
 * (`10.2.24.r0`), which apk-tools accepts and Alpine's package data contains.
 */
export function isValidApkVersion(input: string): boolean {
  if (input === '' || /\s/.test(input)) return false
  const v = parseApkVersion(input)
  return v.numbers.length > 0 && (v.tail === '' || /^\.[a-z]\d+$/.test(v.tail)) && v.revisionWellFormed
}

function compareNumbers(a: string[], b: string[]): Ordering {
  const n = Math.min(a.length, b.length)
  for (let k = 0; k < n; k++) {
    const x = a[k] ?? ''
    const y = b[k] ?? ''
    const leadingZero = k > 0 && (x.startsWith('0') || y.startsWith('0'))
    const rc = leadingZero ? compareStrings(x, y) : compareDigits(x, y)
    if (rc !== 0) return rc
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

/** '' (absent) sorts below anything present; present values compare with `cmp`. */
function presentFirst(x: string, y: string, cmp: (p: string, q: string) => Ordering): Ordering {
  if (x === '' || y === '') return x === y ? 0 : x === '' ? -1 : 1
  return cmp(x, y)
}

function compareSuffixes(a: ApkVersion['suffixes'], b: ApkVersion['suffixes']): Ordering {
  const n = Math.max(a.length, b.length)
  for (let k = 0; k < n; k++) {
    const x = a[k] ?? NO_SUFFIX
    const y = b[k] ?? NO_SUFFIX
    if (x.rank !== y.rank) return x.rank < y.rank ? -1 : 1
    const rc = compareDigits(x.number, y.number)
    if (rc !== 0) return rc
  }
  return 0
}

function compareTails(a: string, b: string): Ordering {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? 1 : -1
  return compareStrings(a, b)
}

const parseCached = memoize(parseApkVersion)

export function compareApk(a: string, b: string): Ordering {
  const x = parseCached(a)
  const y = parseCached(b)
  return (
    compareNumbers(x.numbers, y.numbers) ||
    presentFirst(x.letter, y.letter, compareStrings) ||
    presentFirst(x.letterNumber, y.letterNumber, compareDigits) ||
    compareSuffixes(x.suffixes, y.suffixes) ||
    compareTails(x.tail, y.tail) ||
    compareDigits(x.revision, y.revision) ||
    (x.revisionWellFormed === y.revisionWellFormed ? 0 : x.revisionWellFormed ? 1 : -1)
  )
}
