import { formatDate, formatDateTime } from '../format';
import { Lang } from '../i18n';

/** A moment in Europe/Paris time, zone shown; machine-readable in `datetime`. */
export function DateTime({ value, lang, dateOnly }: { value: Date; lang: Lang; dateOnly?: boolean }) {
  return (
    <time dateTime={value.toISOString()}>
      {dateOnly ? formatDate(value, lang) : formatDateTime(value, lang)}
    </time>
  );
}
