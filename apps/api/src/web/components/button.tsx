import { ReactNode } from 'react';

export interface ButtonProps {
  children: ReactNode;
  type?: 'submit' | 'button' | 'reset';
  variant?: 'primary' | 'secondary' | 'warning';
  name?: string;
  value?: string;
}

/** A form button (the main action of a form is primary). */
export function Button({ children, type = 'submit', variant = 'primary', name, value }: ButtonProps) {
  return (
    <button type={type} className={`button button--${variant}`} name={name} value={value}>
      {children}
    </button>
  );
}

/** A link that looks like a button (a call to action that navigates). */
export function ButtonLink({
  href,
  children,
  variant = 'primary',
}: {
  href: string;
  children: ReactNode;
  variant?: 'primary' | 'secondary';
}) {
  return (
    <a className={`button button--${variant}`} href={href}>
      {children}
    </a>
  );
}
