// RFC 4180 records of a CSV text, each with the 1-based line number it starts on, so an error can name the line a
// user sees in a text editor (the header is line 1). Pure.
//
// Accepted: a UTF-8 BOM, CRLF / LF / CR line ends (mixed too), fields quoted with `"` (inner quotes doubled, line
// ends and commas inside quotes kept), a missing line end after the last record. A blank line is a record with no
// fields (the caller skips it). Refused (returned as an error with its line): a quote that is never closed, and
// text after a closing quote before the next comma or line end (`"a"b`), which a spreadsheet would also refuse.
// Cost: one pass over the text, O(length); fields are slices of the input.

export interface CsvRecord {
  /** Line on which the record starts (1-based). */
  line: number;
  fields: string[];
}

export type RecordsResult = { ok: true; records: CsvRecord[] } | { ok: false; line: number; message: string };

export function csvRecords(text: string): RecordsResult {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let blank = true;
    for (;;) {
      // One field.
      if (s[i] === '"') {
        blank = false;
        let value = "";
        let j = i + 1;
        for (;;) {
          const q = s.indexOf('"', j);
          if (q < 0) return { ok: false, line: start, message: "a quoted field is never closed (a missing \")" };
          value += s.slice(j, q);
          if (s[q + 1] === '"') {
            value += '"';
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        line += countLineEnds(value);
        fields.push(value);
        if (i < n && s[i] !== "," && s[i] !== "\r" && s[i] !== "\n") {
          return { ok: false, line, message: "text after a closing quote (a quoted field must end at a comma or the line end)" };
        }
      } else {
        let j = i;
        while (j < n && s[j] !== "," && s[j] !== "\r" && s[j] !== "\n") j++;
        const value = s.slice(i, j);
        if (value.includes('"')) return { ok: false, line, message: "a double quote inside an unquoted field" };
        if (value !== "") blank = false;
        fields.push(value);
        i = j;
      }
      if (i < n && s[i] === ",") {
        blank = false;
        i++;
        continue;
      }
      break;
    }
    // The record ends at a line end (or the text's end).
    if (s[i] === "\r") i += s[i + 1] === "\n" ? 2 : 1;
    else if (s[i] === "\n") i++;
    line++;
    records.push({ line: start, fields: blank ? [] : fields });
  }
  return { ok: true, records };
}

function countLineEnds(v: string): number {
  let k = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === "\n") k++;
    else if (v[i] === "\r" && v[i + 1] !== "\n") k++;
  }
  return k;
}
