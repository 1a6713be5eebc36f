// Percentiles and medians over arrays of numbers (milliseconds unless said otherwise).
export const sorted = (values) => [...values].sort((a, b) => a - b);
export const percentile = (values, p) => {
  const s = sorted(values);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};
export const median = (values) => percentile(values, 0.5);
export const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
