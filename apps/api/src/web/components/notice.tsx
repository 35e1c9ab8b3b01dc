import { ReactNode } from 'react';

/**
 * A boxed message. `success` and `error` are announced (role status / alert) when the page loads
 * after an action.
 */
export function Notice({
  kind = 'info',
  title,
  children,
}: {
  kind?: 'info' | 'success' | 'warning' | 'error';
  title?: string;
  children?: ReactNode;
}) {
  const role = kind === 'success' ? 'status' : kind === 'error' ? 'alert' : undefined;
  return (
    <div className={`notice notice--${kind}`} role={role}>
      {title ? <p className="notice__title">{title}</p> : null}
      {children}
    </div>
  );
}
