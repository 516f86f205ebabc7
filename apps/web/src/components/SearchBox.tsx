/** A search field that reports its value after the operator pauses typing, not on every key. */
import { useEffect, useRef, useState } from "react";

export function SearchBox({
  value,
  onSearch,
  label,
  placeholder,
}: {
  value: string;
  onSearch: (text: string) => void;
  label: string;
  placeholder: string;
}) {
  const [draft, setDraft] = useState(value);
  const lastSent = useRef(value);

  // Follow the URL when it changes from elsewhere (back button, "clear filters").
  useEffect(() => {
    if (value !== lastSent.current) {
      lastSent.current = value;
      setDraft(value);
    }
  }, [value]);

  useEffect(() => {
    if (draft === lastSent.current) return;
    const timer = window.setTimeout(() => {
      lastSent.current = draft;
      onSearch(draft);
    }, 300);
    return () => window.clearTimeout(timer);
  }, [draft, onSearch]);

  return (
    <div className="search">
      <label htmlFor="queue-search" className="visually-hidden">
        {label}
      </label>
      <input
        id="queue-search"
        type="search"
        className="search__input"
        value={draft}
        placeholder={placeholder}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          // Esc clears the search at once (no debounce); a second Esc leaves the field.
          if (event.key !== "Escape") return;
          event.preventDefault();
          if (draft === "") {
            event.currentTarget.blur();
            return;
          }
          setDraft("");
          lastSent.current = "";
          onSearch("");
        }}
        data-testid="queue-search"
      />
    </div>
  );
}
