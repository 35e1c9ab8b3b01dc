import { types } from 'pg';

let installed = false;

/**
 * PostgreSQL int8 (bigint) comes back from the driver as a string; read it as a JS bigint,
 * once, at the boundary. Amounts never pass through a JS number.
 */
export function installBigIntParsers(): void {
  if (installed) return;
  installed = true;
  types.setTypeParser(20, (value: string) => BigInt(value));
  types.setTypeParser(1016 as Parameters<typeof types.setTypeParser>[0], (value: string) =>
    value === '{}'
      ? []
      : value
          .slice(1, -1)
          .split(',')
          .map((v) => BigInt(v)),
  );
}
