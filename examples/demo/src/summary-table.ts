/** One row of `GET /api/metrics/` groups, as the server answers it. */
export interface MetricsGroupRow {
  key: string | number | null;
  count: number;
  errors: number;
  total_tokens: number;
  cost: number;
  latency: { p50: number | null; p95: number | null };
  ttft: { p50: number | null; p95: number | null };
}

const ms = (seconds: number | null) => (seconds === null ? "–" : `${Math.round(seconds * 1000)} ms`);

/** A plain-text table of metrics groups, widths fitted to the content. */
export function formatMetricsTable(title: string, rows: readonly MetricsGroupRow[]): string {
  const header = [
    title,
    "requests",
    "errors",
    "tokens",
    "cost (USD)",
    "p50 latency",
    "p95 latency",
    "p50 TTFT",
    "p95 TTFT",
  ];
  const body = rows.map((row) => [
    String(row.key ?? "(none)"),
    String(row.count),
    String(row.errors),
    String(row.total_tokens),
    row.cost.toFixed(6),
    ms(row.latency.p50),
    ms(row.latency.p95),
    ms(row.ttft.p50),
    ms(row.ttft.p95),
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...body.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number),
      )
      .join("  ");
  return [line(header), widths.map((width) => "─".repeat(width)).join("  "), ...body.map(line)].join("\n");
}
