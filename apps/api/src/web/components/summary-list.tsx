import { ReactNode } from 'react';

/** Facts as term → value (a definition list). */
export function SummaryList({
  items,
}: {
  items: readonly { term: ReactNode; value: ReactNode; key?: string }[];
}) {
  return (
    <dl className="summary-list">
      {items.map((item, i) => (
        <div className="summary-list__row" key={item.key ?? i}>
          <dt>{item.term}</dt>
          <dd>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
