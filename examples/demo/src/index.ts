export { formatMetricsTable, type MetricsGroupRow } from "./summary-table.js";
