export { DEMO_API_KEY, type DemoRun, runDemo } from "./demo-run.js";
export { formatMetricsTable, type MetricsGroupRow } from "./summary-table.js";
