/// <reference path="./parse-prometheus-text-format.d.ts" />
import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** A Prometheus scrape, parsed: each family's samples keyed by their labels (`a=1,b=2`, sorted by name). */
export interface Scrape {
  /** The family's type as the text declares it (`COUNTER`, `GAUGE`, `HISTOGRAM`, …). */
  type(name: string): string | undefined;
  /** A counter's or gauge's values by labels (throws when the family is absent). */
  samples(name: string): Record<string, number>;
  /** A histogram's observation counts by labels (its `_count` series). */
  counts(name: string): Record<string, number>;
}

const labelKey = (labels: Record<string, string>) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");

/**
 * Parses the whole exposition text with `parse-prometheus-text-format` (an invalid line throws). That parser
 * folds a labelled histogram into one sample, so histogram counts are read from the `_count` lines it validated.
 */
export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const family = (name: string) => {
    const found = families.find((entry) => entry.name === name);
    if (!found) throw new Error(`no ${name} in the scrape`);
    return found;
  };
  return {
    type: (name) => families.find((entry) => entry.name === name)?.type,
    samples(name) {
      const out: Record<string, number> = {};
      for (const sample of family(name).metrics) out[labelKey(sample.labels ?? {})] = Number(sample.value);
      return out;
    },
    counts(name) {
      if (family(name).type !== "HISTOGRAM") throw new Error(`${name} is not a histogram`);
      const out: Record<string, number> = {};
      const line = new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`, "gm");
      for (const [, labels, value] of text.matchAll(line)) {
        const pairs = Object.fromEntries(
          [...(labels ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, val]) => [key, val]),
        );
        out[labelKey(pairs as Record<string, string>)] = Number(value);
      }
      return out;
    },
  };
}
