import { useEffect, useState } from 'preact/hooks';

/** A one-field form that opens a view for an id (a dataset's history, a grant's lifecycle). */
export function IdForm({ label, name, value, button, onOpen }: { label: string; name: string; value: string; button: string; onOpen: (id: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => {
    setDraft(value);
  }, [value]);
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
        if (draft.trim() !== '') onOpen(draft.trim());
      }}
    >
      <label>
        {label}
        <input
          name={name}
          value={draft}
          size={66}
          spellcheck={false}
          required
          onInput={(e) => {
            setDraft(e.currentTarget.value);
          }}
        />
      </label>
      <div class="actions">
        <button type="submit">{button}</button>
      </div>
    </form>
  );
}
