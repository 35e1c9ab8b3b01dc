import { registerDecorator, ValidationOptions } from 'class-validator';
import { hasControlCharacters, hasControlCharactersInText, isCalendarDate } from '@app/text';

function rule(name: string, message: string, test: (value: unknown) => boolean, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} ${message}`, ...options },
      validator: { validate: test },
    });
}

/** A name or a reference: a string on one line, without any control character. */
export const IsName = (options?: ValidationOptions) =>
  rule(
    'isName',
    'must be text on one line without control characters',
    (v) => typeof v === 'string' && !hasControlCharacters(v),
    options,
  );

/** Free text: a string whose only control characters are tab, line feed and carriage return. */
export const IsFreeText = (options?: ValidationOptions) =>
  rule(
    'isFreeText',
    'must be text without control characters other than line breaks and tabs',
    (v) => typeof v === 'string' && !hasControlCharactersInText(v),
    options,
  );

/** A real calendar date, YYYY-MM-DD. */
export const IsCalendarDate = (options?: ValidationOptions) =>
  rule('isCalendarDate', 'must be a calendar date YYYY-MM-DD', isCalendarDate, options);

/** Largest integer a PostgreSQL `integer` column holds: every counter and revision on the wire stays below it. */
export const MAX_INT4 = 2_147_483_647;
