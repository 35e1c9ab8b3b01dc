import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import { Request } from 'express';
import { RequestError, RequestErrorCode } from './request.errors';

export const JSON_ONLY = 'librery:json-only';

/**
 * The handlers of this controller (or this handler) take JSON bodies only: a form body gets 415.
 * Every API controller carries it; page controllers that take HTML forms do not.
 */
export const JsonOnly = () => SetMetadata(JSON_ONLY, true);

export function mediaTypeOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const header = req.headers['content-type'];
  return (typeof header === 'string' ? header : '').split(';')[0].trim().toLowerCase();
}

export function isJsonMediaType(type: string): boolean {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * A handler that reads a `@Body()` gets one, of a media type it takes: a missing or empty body
 * is 400 (never read as `{}`), JSON that is not an object is 400, any other media type is 415
 * (a body of text, XML or multipart is never read as an empty object). Handlers without a body
 * parameter (streamed uploads, CSV imports, actions) are left alone.
 */
@Injectable()
export class RequestBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    const controller = context.getClass();
    if (!readsBody(controller, handler.name)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const type = mediaTypeOf(req);
    const jsonOnly = this.reflector.getAllAndOverride<boolean>(JSON_ONLY, [handler, controller]) ?? false;
    const takes = jsonOnly ? ['application/json'] : ['application/json', FORM_MEDIA_TYPE];
    const hasBytes =
      Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const accepted = isJsonMediaType(type) || takes.includes(type);
    if (!hasBytes || (accepted && req.body === undefined))
      throw new RequestError(RequestErrorCode.BodyMissing, 'this request needs a body');
    if (!accepted) {
      throw new RequestError(
        RequestErrorCode.UnsupportedMediaType,
        `this route takes ${takes.join(' or ')}, not ${type || 'a body without a media type'}`,
        { accepted: takes },
      );
    }
    const body = req.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new RequestError(RequestErrorCode.BodyNotObject, 'the request body must be a JSON object');
    return true;
  }
}

function readsBody(controller: object, method: string): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
    string,
    unknown
  >;
  return Object.keys(args).some((key) => Number(key.split(':')[0]) === RouteParamtypes.BODY);
}
