// How deeply a JSON text nests, measured on the text before it is parsed (CONTRACT "Bad input and faults": JSON
// nested deeper than 32 levels is 400 invalid_json). Checking the text, not the parsed value, keeps a hostile
// 64 KiB body of "[[[[..." cheap to refuse: one linear pass, no recursion, and nothing later (zod, the
// JSON.stringify of the body for the signal log) ever walks a deep value and overflows the stack.

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]

/**
 * True when `text` opens more than `maxDepth` objects / arrays inside one another (the top-level value is level
 * 1). Brackets inside strings do not count; an escaped quote (\") does not end a string. The text need not be
 * valid JSON: invalid text is left for JSON.parse to reject.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++; // the escaped character, whatever it is, cannot end the string
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return false;
}
