import { ReactNode } from 'react';

/** The id of a field's control, for labels and error-summary links. */
export const fieldId = (name: string): string => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

interface Common {
  name: string;
  label: string;
  hint?: ReactNode;
  /** shown beside the field; the control gets aria-invalid and points to it */
  error?: string;
  required?: boolean;
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function HintAndError({ id, hint, error }: { id: string; hint?: ReactNode; error?: string }) {
  return (
    <>
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
}

export interface FieldProps extends Common {
  value?: string;
  type?: 'text' | 'email' | 'search' | 'number' | 'date' | 'url' | 'tel' | 'password';
  autoComplete?: string;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'email' | 'search' | 'url' | 'tel';
  spellCheck?: boolean;
  /** width hint: short fields for amounts and dates */
  width?: 'short' | 'medium' | 'full';
}

/** A text input with its label, hint and error (aria-describedby, aria-invalid). */
export function Field({
  name,
  label,
  hint,
  error,
  required,
  value,
  type = 'text',
  autoComplete,
  inputMode,
  spellCheck,
  width = 'full',
}: FieldProps) {
  const id = fieldId(name);
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <HintAndError id={id} hint={hint} error={error} />
      <input
        className={`field__input field__input--${width}`}
        id={id}
        name={name}
        type={type}
        defaultValue={value}
        required={required}
        autoComplete={autoComplete}
        inputMode={inputMode}
        spellCheck={spellCheck}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </div>
  );
}

export interface SelectProps extends Common {
  value?: string;
  options: readonly { value: string; label: string }[];
}

/** A select with its label, hint and error. */
export function SelectField({ name, label, hint, error, required, value, options }: SelectProps) {
  const id = fieldId(name);
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <HintAndError id={id} hint={hint} error={error} />
      <select
        className="field__select"
        id={id}
        name={name}
        defaultValue={value}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface TextAreaProps extends Common {
  value?: string;
  rows?: number;
}

export function TextAreaField({ name, label, hint, error, required, value, rows = 4 }: TextAreaProps) {
  const id = fieldId(name);
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <HintAndError id={id} hint={hint} error={error} />
      <textarea
        className="field__textarea"
        id={id}
        name={name}
        rows={rows}
        defaultValue={value}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </div>
  );
}

export interface ChoicesProps extends Common {
  /** radio: one choice; checkbox: several (the value list) */
  type: 'radio' | 'checkbox';
  value?: string | readonly string[];
  options: readonly { value: string; label: string; hint?: ReactNode }[];
  inline?: boolean;
}

/**
 * Radios or checkboxes in a fieldset with its legend. The error-summary link goes to the first
 * option (its id is the field's id).
 */
export function Choices({ name, label, hint, error, required, type, value, options, inline }: ChoicesProps) {
  const id = fieldId(name);
  const chosen = new Set(typeof value === 'string' ? [value] : (value ?? []));
  return (
    <fieldset
      className={`field choices${inline ? ' choices--inline' : ''}${error ? ' field--error' : ''}`}
      aria-describedby={describedBy(id, hint, error)}
    >
      <legend className="field__label">{label}</legend>
      <HintAndError id={id} hint={hint} error={error} />
      {options.map((o, i) => {
        const optionId = i === 0 ? id : `${id}-${i}`;
        return (
          <div className="choice" key={o.value}>
            <input
              className="choice__input"
              id={optionId}
              type={type}
              name={name}
              value={o.value}
              defaultChecked={chosen.has(o.value)}
              required={type === 'radio' ? required : undefined}
              aria-invalid={error ? true : undefined}
              aria-describedby={o.hint ? `${optionId}-hint` : undefined}
            />
            <label className="choice__label" htmlFor={optionId}>
              {o.label}
            </label>
            {o.hint ? (
              <p className="choice__hint" id={`${optionId}-hint`}>
                {o.hint}
              </p>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}
