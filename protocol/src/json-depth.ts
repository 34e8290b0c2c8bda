/**
 * A cheap bound on JSON nesting, checked on the text before `JSON.parse`: a payload nested thousands
 * of levels deep parses fine but makes every later recursive walk of it (validation, cloning,
 * serialising a store shard) overflow the stack. One pass over the text; string contents are skipped
 * with `indexOf`, so a large inventory (mostly strings) costs little.
 */

/** Deepest nesting of objects and arrays a JSON payload may have (the root object is level 1). */
export const MAX_JSON_DEPTH = 32

const QUOTE = 34
const BACKSLASH = 92
const OPEN_BRACE = 123
const OPEN_BRACKET = 91
const CLOSE_BRACE = 125
const CLOSE_BRACKET = 93

/**
 * Whether `text` holds at most `limit` of the characters `{` and `[` in all (strings included): then no
 * nesting can go deeper than `limit`. Each search is `indexOf` (native), so a telemetry sample (~20
 * brackets in 1 KB) is cleared without visiting each character.
 */
function fewOpeners(text: string, limit: number): boolean {
  let count = 0
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++count > limit) return false
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++count > limit) return false
  return true
}

/** Whether `text` (JSON, valid or not) opens more than `limit` nested objects/arrays at some point. */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  if (fewOpeners(text, limit)) return false
  let depth = 0
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      // Skip the string: the next quote not escaped by an odd run of backslashes.
      let end = i
      for (;;) {
        end = text.indexOf('"', end + 1)
        if (end < 0) return false // unterminated: JSON.parse refuses it
        let slashes = 0
        while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++
        if (slashes % 2 === 0) break
      }
      i = end
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--
  }
  return false
}
