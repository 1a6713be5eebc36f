type Schema = Record<string, unknown>;

/**
 * The word after a property's name in the text ("order" in "look up order 42" → "42"), as a model would read
 * an argument out of the request; undefined when the name is not there.
 */
function valueNamed(name: string, seed: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?:^|[^\\w])${escaped}\\s+([\\w.@-]+)`, "i").exec(seed)?.[1];
}

/**
 * A value that satisfies a JSON schema, derived deterministically from `seed`: a string property takes the word
 * after its name in the seed when the seed names it ("order 42" → `order: "42"`), else the whole seed; numbers
 * 42, booleans true, arrays one item, objects every property. Enough for tool arguments and structured output.
 */
export function sampleFromSchema(schema: unknown, seed: string, name?: string): unknown {
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
      return (name && valueNamed(name, seed)) ?? seed;
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
        Object.entries(properties).map(([key, sub]) => [key, sampleFromSchema(sub, seed, key)]),
      );
    }
  }
}
