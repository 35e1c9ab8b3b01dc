import { NextFunction, Request, Response } from 'express';
import { RequestError, RequestErrorCode } from './request.errors';
import { FORM_MEDIA_TYPE, isJsonMediaType, mediaTypeOf } from './request-body.guard';
import { decodeUtf8, DEFAULT_JSON_LIMITS, hasInvalidText, JsonLimits, parseStrictJson } from './strict-json';

/**
 * Decodes percent-encoded text strictly: a malformed escape or one that is not UTF-8 (such as an
 * encoded lone surrogate) is refused rather than turned into U+FFFD; a NUL is refused.
 */
export function checkEncodedText(encoded: string, where: string): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new RequestError(RequestErrorCode.InvalidText, `the ${where} holds a malformed percent-encoding`);
  }
  if (hasInvalidText(decoded))
    throw new RequestError(
      RequestErrorCode.InvalidText,
      `the ${where} holds a NUL character or a lone UTF-16 surrogate`,
    );
}

/**
 * The one place where text enters the API: the path and query string, then the body. JSON
 * arrives as bytes (body-parser `raw`) and is parsed here strictly (depth, keys, duplicates,
 * prototype keys, NUL, surrogates); form bodies are checked on their raw bytes. Anything refused
 * is a 400 problem before routing, so no route, pipe or query sees it.
 */
export function requestBoundary(limits: JsonLimits = DEFAULT_JSON_LIMITS) {
  return (req: Request & { rawBody?: Buffer }, _res: Response, next: NextFunction): void => {
    try {
      checkEncodedText(req.url, 'address');
      const type = mediaTypeOf(req);
      if (Buffer.isBuffer(req.body) && isJsonMediaType(type)) {
        const text = decodeUtf8(req.body);
        req.body = text.trim() === '' ? undefined : parseStrictJson(text, limits);
      } else if (type === FORM_MEDIA_TYPE && req.rawBody) {
        checkEncodedText(decodeUtf8(req.rawBody), 'form');
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
