// The sequential method every latency comparison here uses: targets alternate request by request, so drift on
// the shared machine hits all of them alike; p50 is the median of round medians (one slow round cannot move it),
// p99 is over every sample. `measure(target)` makes one call and returns the milliseconds to count; a call that
// answers other than 200 stops the run (warm-up included), since its timing would measure an error.
import { median, percentile } from "./stats.mjs";

export async function alternatingRounds(targets, measure, { rounds, perRound, warmup = 20 }) {
  const checked = async (target) => {
    const { status, value } = await measure(target);
    if (status !== 200) throw new Error(`${target.name} answered ${status}`);
    return value;
  };
  for (const target of targets) for (let i = 0; i < warmup; i++) await checked(target);
  const roundMedians = Object.fromEntries(targets.map((t) => [t.name, []]));
  const all = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    const per = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let i = 0; i < perRound; i++)
      for (const target of targets) {
        const value = await checked(target);
        per[target.name].push(value);
        all[target.name].push(value);
      }
    for (const target of targets) roundMedians[target.name].push(median(per[target.name]));
  }
  return Object.fromEntries(
    targets.map((t) => [t.name, { p50: median(roundMedians[t.name]), p99: percentile(all[t.name], 0.99) }]),
  );
}
