/** Picks one item with probability proportional to its weight; undefined when nothing has weight. */
export function weightedChoice<T extends { weight: number }>(
  items: readonly T[],
  random: () => number,
): T | undefined {
  let total = 0;
  for (const item of items) total += Math.max(0, item.weight);
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const item of items) {
    point -= Math.max(0, item.weight);
    if (point < 0) return item;
  }
  return items[items.length - 1];
}
