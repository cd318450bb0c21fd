import { MAX_ID_LENGTH } from '../sources/field-rules.ts';
import { InputError } from './errors.ts';

/** A campaign id from a request, trimmed: required, at most MAX_ID_LENGTH characters. */
export function campaignIdFrom(value: unknown, field = 'campaign'): string {
  const id = typeof value === 'string' ? value.trim() : '';
  if (id === '') throw new InputError(field, 'is required (an opaque id such as 123456789)');
  if (id.length > MAX_ID_LENGTH) throw new InputError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  return id;
}
