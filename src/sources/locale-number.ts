// Numbers as spreadsheets write them in English ("1,250.50") and Spanish ("1.250,50") locales.
//
// A cell alone often decides its locale: "1.250,50" (both separators: the last one is the decimal
// mark), "12,5" or "0,75" (one comma not followed by exactly three digits: a decimal comma), "1.204.500"
// (the same separator twice: thousands). Only a single separator followed by exactly three digits
// ("1,250" or "1.250") is ambiguous; such a cell is read with the decimal mark the whole file shows
// (see decideDecimal), because one export never mixes locales.

export type DecimalMark = '.' | ',';

export interface LocaleEvidence {
  /** Cells that show a decimal point (or a comma used for thousands). */
  dot: number;
  /** Cells that show a decimal comma (or a dot used for thousands). */
  comma: number;
  /** One example of each, for the report. */
  dotExample: string | null;
  commaExample: string | null;
}

export function emptyEvidence(): LocaleEvidence {
  return { dot: 0, comma: 0, dotExample: null, commaExample: null };
}

const SPACES = /[\s\u00a0\u202f']/g;
const GROUPED_COMMA = /^\d{1,3}(?:,\d{3})+$/;
const GROUPED_DOT = /^\d{1,3}(?:\.\d{3})+$/;
const PLAIN = /^\d+(?:\.\d+)?$/;

function strip(text: string): { body: string; percent: boolean; negative: boolean } {
  let body = text.trim();
  const percent = body.endsWith('%');
  if (percent) body = body.slice(0, -1);
  body = body.replace(SPACES, '');
  const negative = body.startsWith('-');
  if (negative || body.startsWith('+')) body = body.slice(1);
  return { body, percent, negative };
}

/** The decimal mark one cell proves on its own, or null when it proves nothing. */
export function decimalShownBy(text: string, isCount: boolean): DecimalMark | null {
  const { body } = strip(text);
  const lastDot = body.lastIndexOf('.');
  const lastComma = body.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) return lastDot > lastComma ? '.' : ',';
  const sep = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : null;
  if (sep === null) return null;
  const other: DecimalMark = sep === ',' ? '.' : ',';
  if (!(sep === ',' ? GROUPED_COMMA : GROUPED_DOT).test(body)) return sep; // "12,5", "0.75", "1234,56"
  // Grouped: "1.204.500" (the separator twice) or a count ("1.204" impressions cannot be 1.204)
  // can only be thousands, so the decimal mark is the other one. "1,250" as money proves nothing.
  const twice = body.indexOf(sep) !== body.lastIndexOf(sep);
  return twice || isCount ? other : null;
}

export function addEvidence(evidence: LocaleEvidence, text: string, isCount: boolean): void {
  const mark = decimalShownBy(text, isCount);
  if (mark === '.') {
    evidence.dot++;
    evidence.dotExample ??= text.trim();
  } else if (mark === ',') {
    evidence.comma++;
    evidence.commaExample ??= text.trim();
  }
}

/** The file's decimal mark from its cells; the header language breaks a tie (Spanish: comma). */
export function decideDecimal(evidence: LocaleEvidence, fallback: DecimalMark, fallbackReason: string): { decimal: DecimalMark; decidedBy: string } {
  if (evidence.comma > evidence.dot) {
    return { decimal: ',', decidedBy: `${evidence.comma} cell(s) such as "${evidence.commaExample}" show a decimal comma${evidence.dot > 0 ? ` (${evidence.dot} cell(s) such as "${evidence.dotExample}" disagree)` : ''}` };
  }
  if (evidence.dot > evidence.comma) {
    return { decimal: '.', decidedBy: `${evidence.dot} cell(s) such as "${evidence.dotExample}" show a decimal point${evidence.comma > 0 ? ` (${evidence.comma} cell(s) such as "${evidence.commaExample}" disagree)` : ''}` };
  }
  return { decimal: fallback, decidedBy: `no cell shows the decimal mark; ${fallbackReason}` };
}

export type NumberParse = { ok: true; text: string; percent: boolean } | { ok: false; message: string };

/**
 * A cell as a canonical non-negative decimal text ("1250.50"): each cell's own evidence first,
 * the file's decimal mark only for the ambiguous "1,250" / "1.250".
 */
export function normaliseNumber(raw: string, fileDecimal: DecimalMark, isCount: boolean): NumberParse {
  const { body, percent, negative } = strip(raw);
  if (negative) return { ok: false, message: 'must not be negative' };
  let decimal = decimalShownBy(raw, isCount) ?? fileDecimal;
  const lastDot = body.lastIndexOf('.');
  const lastComma = body.lastIndexOf(',');
  if (lastDot < 0 && lastComma < 0) decimal = '.';
  const thousands = decimal === '.' ? ',' : '.';
  const parts = body.split(decimal);
  if (parts.length > 2) return { ok: false, message: `has the decimal mark "${decimal}" more than once` };
  const whole = parts[0]!;
  if (whole.includes(thousands) && !(thousands === ',' ? GROUPED_COMMA : GROUPED_DOT).test(whole)) {
    return { ok: false, message: `has a thousands separator "${thousands}" in the wrong place` };
  }
  const text = parts.length === 2 ? `${whole.split(thousands).join('')}.${parts[1]}` : whole.split(thousands).join('');
  if (!PLAIN.test(text)) return { ok: false, message: 'is not a number' };
  return { ok: true, text, percent };
}
