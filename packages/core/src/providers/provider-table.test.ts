import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { paramTable } from "./param-table.js";
import { providerTable } from "./provider-table.js";

/** A markdown table's cells, row by row: padding (the formatter aligns columns) and rule widths do not count. */
const cellsOf = (table: string) =>
  table
    .trim()
    .split("\n")
    .map((row) =>
      row
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => (/^\s*-+\s*$/.test(cell) ? "---" : cell.trim())),
    );

const readme = () => readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = (text: string, name: string) =>
  text.slice(
    text.indexOf(`<!-- ${name}:start -->`) + `<!-- ${name}:start -->`.length,
    text.indexOf(`<!-- ${name}:end -->`),
  );

describe("the README's generated tables", () => {
  it("the provider table is the registry's, as node scripts/provider-table.mjs writes it", () => {
    expect(cellsOf(section(readme(), "providers"))).toEqual(cellsOf(providerTable()));
  });

  it("the parameter table is the codecs' own lists", () => {
    expect(cellsOf(section(readme(), "params"))).toEqual(cellsOf(paramTable()));
  });
});
