// Bad input, named by field: raised by every layer that validates (the store's cursors, the
// services, the importers); the CLI prints it with exit code 2 and the API answers 400.
/** Bad input: names the field and the problem. Nothing was changed. */
export class InputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InputError';
    this.field = field;
  }
}
