// Errors a user can act on. The CLI prints them as one clear message (exit code 2); the HTTP API
// maps them to 4xx. Anything else is a defect and is reported without internals.

// InputError is defined in the engine (the store raises it too) and is part of this family.
export { InputError } from '../engine/input-error.ts';

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export interface Problem {
  line: number;
  field: string;
  value: string;
  message: string;
}

/** An import refused as a whole: every bad line is listed and nothing was imported. */
export class ImportRejectedError extends Error {
  readonly problems: readonly Problem[];
  readonly headerProblems: readonly string[];
  constructor(headerProblems: readonly string[], problems: readonly Problem[]) {
    super(
      headerProblems.length > 0
        ? `the file's header is not usable: ${headerProblems.join('; ')}`
        : `${problems.length} invalid row problem(s); nothing was imported (use --skip-invalid to import the valid rows)`,
    );
    this.name = 'ImportRejectedError';
    this.headerProblems = headerProblems;
    this.problems = problems;
  }
}

/**
 * The request is valid but this version cannot carry it out (LIVE mode needs the Meta Marketing
 * API client, which is not built yet). The CLI exits with 2; the HTTP API answers 501.
 */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}

/**
 * The request is valid but conflicts with the store's state (synthetic rows into a store of real
 * data, a recommendation that a newer run superseded). The CLI exits with 2; the HTTP API answers 409.
 */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}
