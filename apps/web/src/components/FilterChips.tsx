/** A row of toggle chips, each with the number of incidents it would show. */

interface ChipGroupProps<T extends string> {
  label: string;
  /** Used in test ids: `filter-chip-<kind>-<value>`. */
  kind: string;
  values: readonly T[];
  counts: Record<T, number> | undefined;
  /** Said after the legend, e.g. that the counts cover only the first matches of a search. */
  countsNote?: string | undefined;
  selected: readonly T[];
  onChange: (next: T[]) => void;
  labelFor?: (value: T) => string;
  /** Extra class per value, e.g. the severity colour. */
  classFor?: (value: T) => string;
}

export function ChipGroup<T extends string>({
  label,
  kind,
  values,
  counts,
  countsNote,
  selected,
  onChange,
  labelFor,
  classFor,
}: ChipGroupProps<T>) {
  const toggle = (value: T) => {
    const next = selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value];
    // Keep the canonical order so the URL does not depend on click order.
    onChange(values.filter((v) => next.includes(v)));
  };
  return (
    <fieldset className="chips" data-testid={`filter-${kind}`}>
      <legend className="chips__legend">
        {label}
        {countsNote ? <span className="muted small"> ({countsNote})</span> : null}
      </legend>
      {values.map((value) => {
        const active = selected.includes(value);
        const count = counts?.[value];
        return (
          <button
            key={value}
            type="button"
            className={`chip ${classFor?.(value) ?? ""}${active ? " chip--active" : ""}`}
            aria-pressed={active}
            onClick={() => toggle(value)}
            data-testid={`filter-chip-${kind}-${value}`}
          >
            <span className="chip__label">{labelFor ? labelFor(value) : value}</span>
            <span className="chip__count">{count ?? "–"}</span>
            <span className="visually-hidden"> incidents</span>
          </button>
        );
      })}
    </fieldset>
  );
}
