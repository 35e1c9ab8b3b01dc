import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { isDomainError, Problem } from './problem';
import { PROBLEM_STATUSES } from './problem-statuses';
import { ValidationProblem } from './validation-problem';
import { renderErrorPage, wantsHtml } from '../web/error-page';

interface PinoLike {
  error(obj: object, msg: string): void;
}

/**
 * Maps every error to RFC 9457 problem+json, once, for the whole API; pages (web routes, and a
 * browser's GET) get the same status as an HTML page of the design.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string | number; log?: PinoLike }>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(error);
    problem.instance = request.originalUrl ?? request.url;
    if (request.id !== undefined) problem.requestId = String(request.id);
    if (problem.status >= 500) {
      const entry = { err: loggableError(error), requestId: problem.requestId };
      // The request's own pino logger (pino-http), so the line carries the request and goes where
      // the request lines go; the Nest logger when there is none.
      if (request.log) request.log.error(entry, 'unhandled error');
      else this.logger.error(entry, 'unhandled error');
    }
    if (wantsHtml(request)) return renderErrorPage(request, response, problem);
    response
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problem, bigintReplacer));
  }

  private toProblem(error: unknown): Problem {
    if (error instanceof ValidationProblem) {
      return problem(400, 'validation.failed', 'The request is not valid', error.message, {
        errors: error.errors,
      });
    }
    if (isDomainError(error)) {
      const status = PROBLEM_STATUSES[error.code] ?? 500;
      return problem(status, error.code, titleOf(error.code), error.message, error.details ?? {});
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const detail =
        typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
      if (status === 413) return problem(413, 'request.too_large', 'Request body too large', detail);
      if (status === 429)
        return problem(
          429,
          'request.rate_limited',
          'Too many requests',
          'too many requests; try again later',
        );
      if (status === 400 && /JSON/.test(detail))
        return problem(400, 'request.malformed_json', 'Malformed JSON', detail);
      return problem(status, `http.${status}`, HttpStatus[status] ?? 'Error', detail);
    }
    const bodyError = error as { type?: string; status?: number; message?: string };
    if (bodyError?.type === 'entity.too.large') {
      return problem(
        413,
        'request.too_large',
        'Request body too large',
        'the request body is larger than the limit',
      );
    }
    if (bodyError?.type === 'entity.parse.failed') {
      return problem(400, 'request.malformed_json', 'Malformed JSON', 'the request body is not valid JSON');
    }
    if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
      return problem(
        bodyError.status,
        `http.${bodyError.status}`,
        'Bad request',
        bodyError.message ?? 'bad request',
      );
    }
    return problem(500, 'internal', 'Internal error', 'an unexpected error occurred; it has been logged');
  }
}

/**
 * What a log may keep of an error. A database error carries its statement's parameters (an
 * e-mail, a name) and PostgreSQL's message and detail often quote a value: only the SQLSTATE, the
 * constraint, table, column and routine, and the statement's text (without parameters) are kept.
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driver = (error.driverError ?? {}) as Record<string, unknown>;
  const field = (name: string) => (typeof driver[name] === 'string' ? (driver[name] as string) : undefined);
  return {
    type: 'QueryFailedError',
    sqlState: field('code'),
    constraint: field('constraint'),
    table: field('table'),
    column: field('column'),
    routine: field('routine'),
    query: typeof error.query === 'string' ? error.query.slice(0, 2000) : undefined,
  };
}

function problem(
  status: number,
  code: string,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return { ...extra, type: `/problems/${code}`, title, status, detail, code };
}

function titleOf(code: string): string {
  const last = code.slice(code.indexOf('.') + 1).replace(/_/g, ' ');
  return last.charAt(0).toUpperCase() + last.slice(1);
}

export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
