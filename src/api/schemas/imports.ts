import { Type } from 'typebox';

export const ImportQuery = Type.Object(
  {
    format: Type.Optional(Type.Enum(['canonical', 'ads-manager'], { description: 'Default: detected from the file (an XLSX is an Ads Manager export)' })),
    skip_invalid: Type.Optional(Type.Boolean({ description: 'Import the valid rows and report the others (default false: one bad row rejects the file, nothing imported)' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency of a file that does not state one' })),
    date: Type.Optional(Type.String({ format: 'date', description: 'The day of an Ads Manager export without a date column' })),
    file_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001F/\\\\]+$', description: 'The file\'s name, shown in the report' })),
  },
  { additionalProperties: false },
);

const Problem = Type.Object({ line: Type.Integer(), field: Type.String(), value: Type.String(), message: Type.String() });

export const ImportReportResponse = Type.Object({
  file: Type.String(),
  format: Type.String(),
  rowsRead: Type.Integer(),
  imported: Type.Integer(),
  skipped: Type.Integer(),
  problems: Type.Array(Problem, { description: 'Rows skipped with skip_invalid, each with its line, field and problem' }),
  campaigns: Type.Array(Type.String()),
  dateRange: Type.Union([Type.Object({ start: Type.String(), end: Type.String() }), Type.Null()]),
  currencies: Type.Array(Type.String()),
  durationMs: Type.Integer(),
  source: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'How an Ads Manager export was read: file type, language, delimiter, decimal mark, currency, breakdowns, skipped rows, decisions' })),
  dailyBudgets: Type.Record(Type.String(), Type.Number(), { description: 'Daily budgets stored from the file, in major units by campaign id' }),
  budgetsNotStored: Type.Array(Type.String(), { description: "The file's daily budgets left as stored, each saying why: an older export's (its rows end before the store's latest day for the campaign) is not the campaign's budget now" }),
});

export const ImportRejectedResponse = Type.Object(
  {
    error: Type.Object({ code: Type.String(), message: Type.String(), requestId: Type.String() }),
    problems: Type.Optional(Type.Array(Problem, { description: 'Every rejected line with its field and problem; nothing was imported' })),
    header_problems: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'The error shape; a rejected file adds every bad line (problems) or what is wrong with its header (header_problems)' },
);
