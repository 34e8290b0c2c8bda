/**
 * fast-check generators of versions per scheme. Alphabets and lengths are kept small so generated
 * pairs often tie or differ in one place, which is where comparison rules go wrong.
 */
import fc from 'fast-check'

const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''))

const debToken = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('0', '00', '1', '01', '9', '10', '100') },
  { weight: 1, arbitrary: chars('0123456789', 3, 22) },
  { weight: 3, arbitrary: fc.constantFrom('.', '+', '~', '~~', 'a', 'b', 'z', 'A', 'Z', ':', '-') },
)
const tokens = (token: fc.Arbitrary<string>, max: number) => fc.array(token, { maxLength: max })
const maybeEpoch = fc.constantFrom(undefined, undefined, '0', '1', '2', '00', '01', '10')

function debString(epoch: string | undefined, upstream: string, revision: string | undefined): string {
  let up = /^\d/.test(upstream) ? upstream : `1${upstream}`
  // dpkg reads the epoch up to the first colon and the revision after the last hyphen.
  if (epoch === undefined) up = up.replaceAll(':', '.')
  if (!revision) up = up.replaceAll('-', '+')
  const rev = revision?.replaceAll(':', '.').replaceAll('-', '.')
  return `${epoch !== undefined ? `${epoch}:` : ''}${up}${rev ? `-${rev}` : ''}`
}

/** Debian versions dpkg accepts without error: `[epoch:]upstream[-revision]`. */
export const debVersion = fc
  .tuple(maybeEpoch, tokens(debToken, 6), fc.option(tokens(debToken, 4), { nil: undefined }))
  .map(([e, u, r]) => debString(e, u.join(''), r?.join('')))

/**
 * Two Debian versions that share a prefix and differ in their tails, epochs and revisions, so
 * comparisons reach deep into the string instead of stopping at the first character.
 */
export const debClosePair = fc
  .record({
    epochs: fc.oneof(
      maybeEpoch.map((e) => [e, e] as const),
      fc.tuple(maybeEpoch, maybeEpoch),
    ),
    upstream: fc.tuple(tokens(debToken, 5), tokens(debToken, 3), tokens(debToken, 3)),
    revision: fc.option(fc.tuple(tokens(debToken, 3), tokens(debToken, 2), tokens(debToken, 2)), {
      nil: undefined,
    }),
    revisionBoth: fc.boolean(),
  })
  .map(({ epochs, upstream: [up, ua, ub], revision, revisionBoth }): [string, string] => {
    const rev = (tail: string[]) => (revision ? `${revision[0].join('')}${tail.join('')}` || '0' : undefined)
    return [
      debString(epochs[0], up.join('') + ua.join(''), rev(revision?.[1] ?? [])),
      debString(epochs[1], up.join('') + ub.join(''), revisionBoth ? rev(revision?.[2] ?? []) : undefined),
    ]
  })

const rpmToken = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('0', '00', '1', '01', '9', '10') },
  { weight: 1, arbitrary: chars('0123456789', 3, 22) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('.', '_', '+', '~', '^', 'a', 'b', 'z', 'A', 'el', 'fc', '-', ':'),
  },
)

function rpmString(epoch: string | undefined, body: string): string {
  const text = body.replace(/^[:]+/, '') || '1'
  return `${epoch !== undefined ? `${epoch}:` : ''}${epoch !== undefined ? text.replaceAll(':', '.') : text.replace(/^(\d*):/, '$1.')}`
}

/** RPM EVR strings: `[epoch:]version[-release]` with separators, `~` and `^`. */
export const rpmVersion = fc
  .tuple(fc.constantFrom(undefined, '0', '1', '10'), tokens(rpmToken, 8))
  .map(([e, body]) => rpmString(e, body.join('')))

export const rpmClosePair = fc
  .record({
    epochs: fc.oneof(
      fc.constantFrom(undefined, '0', '1').map((e) => [e, e] as const),
      fc.tuple(fc.constantFrom(undefined, '0', '1'), fc.constantFrom(undefined, '0', '1')),
    ),
    parts: fc.tuple(tokens(rpmToken, 6), tokens(rpmToken, 4), tokens(rpmToken, 4)),
  })
  .map(({ epochs, parts: [p, a, b] }): [string, string] => [
    rpmString(epochs[0], p.join('') + a.join('')),
    rpmString(epochs[1], p.join('') + b.join('')),
  ])

const small = fc.constantFrom('0', '1', '2', '10', '01')
const ident = fc.oneof(small, chars('abrcAB-', 1, 4))

export const semverVersion = fc
  .record({
    main: fc.tuple(small, small, small),
    pre: fc.option(fc.array(ident, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    build: fc.option(chars('abc01', 1, 3), { nil: undefined }),
  })
  .map(({ main, pre, build }) => {
    const m = main.map((n) => n.replace(/^0+(?=\d)/, '')).join('.')
    const p = pre?.map((i) => (/^\d+$/.test(i) ? i.replace(/^0+(?=\d)/, '') : i)).join('.')
    return `${m}${p ? `-${p}` : ''}${build ? `+${build}` : ''}`
  })

export const pypiVersion = fc
  .record({
    epoch: fc.option(fc.constantFrom('1', '2'), { nil: undefined }),
    release: fc.array(small, { minLength: 1, maxLength: 4 }),
    pre: fc.option(
      fc.tuple(fc.constantFrom('a', 'b', 'rc', 'alpha', 'c', 'pre'), fc.option(small, { nil: '' })),
      {
        nil: undefined,
      },
    ),
    post: fc.option(fc.constantFrom('.post1', '.post0', '-2', '.r3', 'post'), { nil: undefined }),
    dev: fc.option(fc.constantFrom('.dev0', '.dev1', 'dev'), { nil: undefined }),
    local: fc.option(fc.constantFrom('+a', '+1', '+a.1', '+1.a', '+ubuntu-1'), { nil: undefined }),
  })
  .map(
    ({ epoch, release, pre, post, dev, local }) =>
      `${epoch ? `${epoch}!` : ''}${release.join('.')}${pre ? pre.join('') : ''}${post ?? ''}${dev ?? ''}${local ?? ''}`,
  )

/** apk versions, mostly valid, sometimes with the invalid tails real data holds. */
export const apkVersion = fc
  .record({
    numbers: fc.array(small, { minLength: 1, maxLength: 4 }),
    letter: fc.option(fc.constantFrom('a', 'b', 'p', 'z'), { nil: '' }),
    suffixes: fc.array(
      fc.tuple(
        fc.constantFrom('alpha', 'beta', 'pre', 'rc', 'cvs', 'git', 'p'),
        fc.option(small, { nil: '' }),
      ),
      {
        maxLength: 2,
      },
    ),
    junk: fc.option(fc.constantFrom('_blah', '.r1', 'A', '..1'), { nil: '' }),
    revision: fc.option(fc.constantFrom('-r0', '-r1', '-r10', '-r', '-r-1', '-ruff'), { nil: '' }),
  })
  .map(
    ({ numbers, letter, suffixes, junk, revision }) =>
      `${numbers.join('.')}${letter}${suffixes.map(([s, n]) => `_${s}${n}`).join('')}${junk}${revision}`,
  )

export const genericVersion = fc
  .array(fc.oneof(small, chars('abSsAB', 1, 2), chars('.-_', 1, 1)), { minLength: 1, maxLength: 6 })
  .map((parts) => `${parts.join('')}`)
  .filter((v) => /[0-9A-Za-z]/.test(v))

/**
 * Maven versions: a number, then numbers after `.` or `-` and qualifiers after `-` or glued to a
 * number. The Maven order is not transitive when `.qualifier` and `-qualifier` meet at one position
 * (`1-alpha1` < `1` < `1.sp` < `1-alpha1`, see maven.ts), so qualifiers use one style here.
 */
export const mavenVersion = fc
  .record({
    head: fc.constantFrom('1', '2', '10', '0'),
    items: fc.array(
      fc.tuple(
        fc.constantFrom('.', '-', ''),
        fc.oneof(
          fc.constantFrom('0', '1', '2', '10'),
          fc.constantFrom(
            'alpha',
            'beta',
            'milestone',
            'rc',
            'cr',
            'SNAPSHOT',
            'ga',
            'final',
            'sp',
            'foo',
            'RC',
          ),
          fc.constantFrom('alpha1', 'beta2', 'rc1', 'M1', 'a1', 'b2'),
        ),
      ),
      { maxLength: 4 },
    ),
  })
  .map(({ head, items }) => {
    let out = head
    for (const [sep, item] of items) {
      const qualifier = !/^\d/.test(item)
      // Qualifiers follow `-` or are glued to a preceding number; numbers follow `.` or `-`.
      if (qualifier) out += sep === '' && /\d$/.test(out) ? item : `-${item}`
      else out += sep === '' ? `.${item}` : sep + item
    }
    return out
  })

export const nugetVersion = fc
  .record({
    numbers: fc.array(small, { minLength: 1, maxLength: 4 }),
    pre: fc.option(fc.array(fc.oneof(small, chars('abAB', 1, 3)), { minLength: 1, maxLength: 3 }), {
      nil: undefined,
    }),
    meta: fc.option(chars('abc1', 1, 3), { nil: undefined }),
  })
  .map(
    ({ numbers, pre, meta }) =>
      `${numbers.join('.')}${pre ? `-${pre.join('.')}` : ''}${meta ? `+${meta}` : ''}`,
  )

export const gemVersion = fc
  .record({
    head: small,
    rest: fc.array(fc.oneof(small, chars('abAB', 1, 3), fc.constantFrom('pre', 'rc', 'beta')), {
      maxLength: 5,
    }),
    suffix: fc.option(chars('abc1', 1, 3), { nil: undefined }),
  })
  .map(({ head, rest, suffix }) => `${[head, ...rest].join('.')}${suffix ? `-${suffix}` : ''}`)

export const composerVersion = fc
  .record({
    v: fc.constantFrom('', '', 'v'),
    numbers: fc.array(small, { minLength: 1, maxLength: 4 }),
    suffix: fc.option(
      fc.tuple(
        fc.constantFrom('-', '', '.', '_'),
        fc.constantFrom('dev', 'alpha', 'a', 'beta', 'b', 'RC', 'rc', 'pl', 'p', 'foo'),
        fc.option(small, { nil: '' }),
      ),
      { nil: undefined },
    ),
  })
  .map(({ v, numbers, suffix }) => `${v}${numbers.join('.')}${suffix ? suffix.join('') : ''}`)
