// A pure function of one key, remembered: the parser asks the same questions of the same strings
// and numbers on every page (labels, amounts, Tm coordinates). The memory is bounded: when it
// holds `maxEntries` answers it starts again empty, so a hostile file cannot grow it without end.
export function memoize<K, V>(compute: (key: K) => V, maxEntries: number): (key: K) => V {
  const answers = new Map<K, V>();
  return (key) => {
    if (answers.has(key)) return answers.get(key) as V;
    const value = compute(key);
    if (answers.size >= maxEntries) answers.clear();
    answers.set(key, value);
    return value;
  };
}
