import { ValidationError } from 'class-validator';

export interface FieldError {
  field: string;
  messages: string[];
}

/** What the global ValidationPipe throws: every invalid field, by its path. */
export class ValidationProblem extends Error {
  constructor(readonly errors: FieldError[]) {
    super(
      `invalid ${errors.map((e) => e.field).join(', ')}: ${errors.map((e) => e.messages.join('; ')).join(' | ')}`,
    );
  }

  static from(errors: ValidationError[]): ValidationProblem {
    const flat: FieldError[] = [];
    const walk = (list: ValidationError[], prefix: string) => {
      for (const e of list) {
        const field = prefix ? `${prefix}.${e.property}` : e.property;
        if (e.constraints) flat.push({ field, messages: Object.values(e.constraints) });
        if (e.children?.length) walk(e.children, field);
      }
    };
    walk(errors, '');
    return new ValidationProblem(flat);
  }
}
