// Request validation from the TypeBox schemas. Bodies are checked strictly (JSON has types: "1" is
// not a number). Query strings and path parameters are text, so they are converted first, but
// only exactly: TypeBox's conversion would read limit=1.5 as 1, which would be silent clamping,
// so a number whose text is not exactly the number it became is refused.
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const numeric = numericProperties(schema);
  return (value: unknown) => {
    let converted = value;
    if (httpPart !== 'body') {
      // Convert may change the object it is given; the raw text is needed afterwards.
      converted = Value.Convert(schema, value !== null && typeof value === 'object' ? { ...value } : value);
      const inexact = numeric.find((key) => isInexact((value as Record<string, unknown> | null)?.[key], (converted as Record<string, unknown> | null)?.[key]));
      if (inexact !== undefined) {
        const error: FastifySchemaValidationError = { keyword: 'type', instancePath: `/${inexact}`, schemaPath: `#/properties/${inexact}`, params: {}, message: 'must be a whole number written in digits' };
        return { error: [error] };
      }
    }
    if (check.Check(converted)) return { value: converted };
    return { error: check.Errors(converted) as FastifySchemaValidationError[] };
  };
};

function numericProperties(schema: TSchema): string[] {
  const props = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return Object.entries(props).filter(([, s]) => s.type === 'integer' || s.type === 'number').map(([k]) => k);
}

function isInexact(raw: unknown, converted: unknown): boolean {
  return typeof raw === 'string' && typeof converted === 'number' && String(converted) !== raw;
}
