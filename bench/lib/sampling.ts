/** One of the options, chosen with probability proportional to its weight. */
export function weighted<T>(options: readonly (readonly [T, number])[], random: () => number): T {
  let total = 0;
  for (const [, w] of options) total += w;
  let x = random() * total;
  for (const [value, w] of options) {
    x -= w;
    if (x < 0) return value;
  }
  return options[options.length - 1]![0];
}
