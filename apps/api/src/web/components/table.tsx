import { ReactNode, useId } from 'react';

export interface Column {
  label: string;
  /** right-aligned, tabular figures */
  numeric?: boolean;
}

export interface TableProps {
  caption: ReactNode;
  columns: readonly Column[];
  /** one array of cells per row; the first cell is the row's header (th scope=row) */
  rows: readonly { key: string; cells: readonly ReactNode[] }[];
  /** no row header: every cell is a td */
  noRowHeaders?: boolean;
}

/**
 * A data table with its caption and header scopes, in a focusable region that scrolls on its own
 * on a narrow screen (the page itself never scrolls sideways).
 */
export function Table({ caption, columns, rows, noRowHeaders }: TableProps) {
  const id = useId();
  return (
    <div className="table-wrap" role="region" aria-labelledby={id} tabIndex={0}>
      <table className="table">
        <caption id={id}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              {r.cells.map((cell, i) => {
                const className = columns[i]?.numeric ? 'num' : undefined;
                return i === 0 && !noRowHeaders ? (
                  <th key={i} scope="row" className={className}>
                    {cell}
                  </th>
                ) : (
                  <td key={i} className={className}>
                    {cell}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
