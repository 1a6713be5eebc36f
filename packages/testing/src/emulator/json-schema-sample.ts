type Schema = Record<string, unknown>;

/**
 * A value that satisfies a JSON schema, derived deterministically from `seed`: strings take the seed,
 * numbers 42, booleans true, arrays one item, objects every property. Enough for tool arguments and
 * structured output in tests.
 */
export function sampleFromSchema(schema: unknown, seed: string): unknown {
  if (typeof schema !== "object" || schema === null) return seed;
  const s = schema as Schema;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ("const" in s) return s.const;
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      const usable = options.find((option) => (option as Schema)?.type !== "null") ?? options[0];
      return sampleFromSchema(usable, seed);
    }
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "string":
      return seed;
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? Math.max(42, s.minimum) : 42;
    case "boolean":
      return true;
    case "null":
      return null;
    case "array":
      return [sampleFromSchema(s.items, seed)];
    default: {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(properties).map(([name, sub]) => [name, sampleFromSchema(sub, seed)]),
      );
    }
  }
}
