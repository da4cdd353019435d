/**
 * An error the API answers as application/problem+json (RFC 9457). `code` is stable and
 * documented; `detail` never echoes request values, so it can never carry card data.
 */
export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly param: string | undefined;
  readonly headers: Record<string, string>;
  /** Extra members of the problem document (RFC 9457 extensions), such as located rule errors. */
  readonly extensions: Record<string, unknown>;

  constructor(init: {
    status: number;
    code: string;
    title: string;
    detail: string;
    param?: string;
    headers?: Record<string, string>;
    extensions?: Record<string, unknown>;
  }) {
    super(init.detail);
    this.name = 'Problem';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.param = init.param;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }

  get detail(): string {
    return this.message;
  }
}

export const problems = {
  invalidRequest: (detail: string, param?: string, code = 'invalid_request') =>
    new Problem({ status: 400, code, title: 'Invalid request', detail, param }),
  notFound: (what: string) =>
    new Problem({ status: 404, code: 'resource_missing', title: 'Not found', detail: `No such ${what}.` }),
  conflict: (code: string, detail: string, param?: string) =>
    new Problem({ status: 409, code, title: 'Conflict with the current state', detail, param }),
  unauthorized: (detail: string) =>
    new Problem({
      status: 401,
      code: 'unauthorized',
      title: 'Unauthorized',
      detail,
      headers: { 'WWW-Authenticate': 'Bearer realm="switchyard"' },
    }),
  gateway: (code: string, detail: string) =>
    new Problem({ status: 502, code, title: 'Gateway error', detail }),
};
