/** Deepest nesting a JSON body may have: far beyond any real request or log, far below a stack overflow. */
export const MAX_JSON_DEPTH = 128;

/**
 * Whether JSON text nests deeper than `max` arrays/objects. One linear pass that skips strings: a body nested
 * 100,000 levels deep parses fine, then overflows the stack of whatever walks it (validation, redaction).
 */
export function exceedsJsonDepth(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
