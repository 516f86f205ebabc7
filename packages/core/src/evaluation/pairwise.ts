/** Pairwise agreement of a grouping with true labels, counted through contingency tables in O(n). */

export interface PairCounts {
  /** Pairs the grouping puts together that truly belong together. */
  together: number;
  /** Pairs the grouping puts together. */
  predicted: number;
  /** Pairs that truly belong together. */
  truth: number;
}

const pairCount = (n: number) => (n * (n - 1)) / 2;

/** Pair counts of a grouping against true labels (-1 = belongs to no group, on either side). */
export function pairwiseCounts(predicted: ArrayLike<number>, truth: ArrayLike<number>): PairCounts {
  if (predicted.length !== truth.length) throw new RangeError("the grouping and the truth must cover the same items");
  const predSizes = new Map<number, number>();
  const truthSizes = new Map<number, number>();
  const joint = new Map<string, number>();
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i] as number;
    const t = truth[i] as number;
    if (p >= 0) predSizes.set(p, (predSizes.get(p) ?? 0) + 1);
    if (t >= 0) truthSizes.set(t, (truthSizes.get(t) ?? 0) + 1);
    if (p >= 0 && t >= 0) joint.set(`${p}:${t}`, (joint.get(`${p}:${t}`) ?? 0) + 1);
  }
  const sum = (sizes: Iterable<number>) => {
    let total = 0;
    for (const n of sizes) total += pairCount(n);
    return total;
  };
  return { together: sum(joint.values()), predicted: sum(predSizes.values()), truth: sum(truthSizes.values()) };
}

/** Precision and recall from pair counts; with no pair on a side, that side is perfect (1). */
export function pairwiseFromCounts(counts: PairCounts): { precision: number; recall: number } {
  return {
    precision: counts.predicted === 0 ? 1 : counts.together / counts.predicted,
    recall: counts.truth === 0 ? 1 : counts.together / counts.truth,
  };
}

/** Pairwise precision and recall of a grouping against true labels (-1 = belongs to no group). */
export function pairwiseScores(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): { precision: number; recall: number } {
  return pairwiseFromCounts(pairwiseCounts(predicted, truth));
}
