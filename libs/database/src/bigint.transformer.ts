import { ValueTransformer } from 'typeorm';

/** The one column transformer for money and counters stored as PostgreSQL bigint. */
export const bigintTransformer: ValueTransformer = {
  to: (value: bigint | null | undefined) =>
    value === null || value === undefined ? value : value.toString(),
  from: (value: string | bigint | null) => (value === null ? null : BigInt(value)),
};
