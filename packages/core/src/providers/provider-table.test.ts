import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
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

describe("the README's provider table", () => {
  it("is the registry's, as node scripts/provider-table.mjs writes it", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const table = readme.slice(
      readme.indexOf("<!-- providers:start -->") + "<!-- providers:start -->".length,
      readme.indexOf("<!-- providers:end -->"),
    );
    expect(cellsOf(table)).toEqual(cellsOf(providerTable()));
  });
});
