import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/identity';
import { CsrfGuard } from './csrf.guard';

/**
 * A controller of pages for people: no API token (the session says who is signed in; services
 * still check access with `webPrincipal(req)`), CSRF checked on every POST, errors as HTML pages,
 * left out of the OpenAPI document.
 */
export function WebController(prefix?: string): ClassDecorator {
  return applyDecorators(
    prefix === undefined ? Controller() : Controller(prefix),
    ApiExcludeController(),
    Public(),
    UseGuards(CsrfGuard),
  );
}
