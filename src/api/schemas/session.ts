import { Type } from 'typebox';

export const SessionBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$', description: 'The one-time code of the link `start` prints' }) },
  { additionalProperties: false },
);

export const SessionResponse = Type.Object({
  token: Type.String({ description: 'A Bearer token for the API' }),
  sub: Type.String(),
  role: Type.String(),
  expires_at: Type.String({ format: 'date-time' }),
});
