import { registerDecorator, ValidationOptions } from 'class-validator';
import { isCentsString } from '@app/money';

/**
 * An amount on the wire: a string of integer minor units ("12345"), not a JSON number, not a
 * float, not negative, at most MAX_INPUT_AMOUNT. `positive` also refuses "0".
 */
export function IsCents(options: { positive?: boolean } & ValidationOptions = {}) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCents',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be a string of integer minor units (cents), such as "12345"${options.positive ? ', above 0' : ''}`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => isCentsString(value) && (!options.positive || value !== '0'),
      },
    });
}
