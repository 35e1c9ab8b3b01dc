/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId?: string;
  [extension: string]: unknown;
}

/** A domain error: a stable code, a message and details. Every lib's XError has this shape. */
export interface DomainErrorLike {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export function isDomainError(error: unknown): error is DomainErrorLike {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as unknown as { code: string }).code.includes('.')
  );
}
