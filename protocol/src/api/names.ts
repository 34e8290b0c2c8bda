/**
 * Human-given names (devices, users, vendors, groups, baselines…): printable text only. C0 and C1
 * control characters, DEL, the line/paragraph separators U+2028/9 and the bidirectional controls
 * (U+200E/F, U+202A–202E, U+2066–2069) are refused: they forge log lines, terminal output and the order text appears in (Trojan Source).
 */
import { type Static, Type } from '../schema.js'

/** No C0/C1 control, DEL, or bidi control anywhere; at least one non-space character. */
export const SAFE_NAME_PATTERN =
  '^(?=[\\s\\S]*\\S)[^\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$'

const SAFE_NAME_RE = new RegExp(SAFE_NAME_PATTERN, 'u')

/** True when `text` is an acceptable name (same rule as the schema pattern). */
export function isSafeName(text: string): boolean {
  return SAFE_NAME_RE.test(text)
}

/** A name of at most `maxLength` characters that passes `SAFE_NAME_PATTERN`. */
export const SafeName = (maxLength = 255) =>
  Type.String({ minLength: 1, maxLength, pattern: SAFE_NAME_PATTERN })
export type SafeName = Static<ReturnType<typeof SafeName>>
