// A table whose columns sort by clicking (or Enter/Space on) their header button; aria-sort says how.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Column<T> {
  key: string;
  label: string;
  /** The value sorted by; omitted: not sortable. */
  sortValue?: (row: T) => number | string | null;
  render: (row: T) => ComponentChildren;
  numeric?: boolean;
}

export function SortableTable<T>({ rows, columns, caption, rowKey, initialSort }: { rows: T[]; columns: Column<T>[]; caption: string; rowKey: (row: T) => string; initialSort?: { key: string; descending: boolean } }) {
  const [sort, setSort] = useState(initialSort ?? null);
  const column = sort === null ? undefined : columns.find((c) => c.key === sort.key);
  const sorted = column?.sortValue === undefined ? rows : [...rows].sort((a, b) => compare(column.sortValue!(a), column.sortValue!(b)) * (sort!.descending ? -1 : 1));
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric ? 'num' : undefined} aria-sort={sort?.key === c.key ? (sort.descending ? 'descending' : 'ascending') : undefined}>
                {c.sortValue ? (
                  <button type="button" class="sort" onClick={() => setSort({ key: c.key, descending: sort?.key === c.key ? !sort.descending : c.numeric === true })}>
                    {c.label}
                    <span aria-hidden="true">{sort?.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : ' ↕'}</span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} class={c.numeric ? 'num' : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function compare(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
