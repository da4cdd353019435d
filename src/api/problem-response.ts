import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from '@hono/zod-openapi';
import { Problem } from '../domain/problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemResponse(c: Context, problem: Problem): Response {
  const body = {
    type: `urn:switchyard:problem:${problem.code}`,
    title: problem.title,
    status: problem.status,
    code: problem.code,
    detail: problem.detail,
    ...(problem.param ? { param: problem.param } : {}),
    ...problem.extensions,
    request_id: c.get('requestId') as string | undefined,
  };
  return c.newResponse(JSON.stringify(body), problem.status as ContentfulStatusCode, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    ...problem.headers,
  });
}

/** Turns the first validation issue into a problem naming the field at fault. */
export function validationProblem(error: z.ZodError, input: unknown, location: 'body' | 'query'): Problem {
  const issue = withinUnion(error.issues[0]!);
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const param = paramName([...issue.path, issue.keys[0] ?? '']);
    return new Problem({ status: 400, code: 'unknown_field', title: 'Invalid request', detail: `${param} is not a known field.`, param });
  }
  const param = paramName(issue.path) || undefined;
  const custom = issue.code === 'custom' ? (issue.params as { code?: string } | undefined)?.code : undefined;
  const missing = issue.code === 'invalid_type' && path.length > 0 && valueAt(input, path) === undefined;
  const code = custom ?? (missing ? 'missing_field' : `invalid_${location === 'query' ? 'parameter' : 'field'}`);
  const named = param === undefined || issue.message.startsWith(path.at(-1) ?? '') || issue.code === 'custom';
  const detail = missing ? `${param} is required.` : named ? issue.message : `${param}: ${issue.message}`;
  return new Problem({ status: 400, code, title: 'Invalid request', detail, param });
}

/**
 * A value matching no member of a union (a card object or a `pm_` id) is judged by the member of its
 * shape: the one whose first issue is not a wrong type at the union itself, so a card missing its number
 * is named `payment_method.card.number`, not `payment_method`.
 */
function withinUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const branch = issue.errors.find((issues) => issues[0] && !(issues[0].code === 'invalid_type' && issues[0].path.length === 0)) ?? issue.errors[0]!;
  const first = branch[0];
  return first ? withinUnion({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue) : issue;
}

/** `payment_method.card.number`; array items by index: `enabled_events[2]`. */
function paramName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)), '');
}

function valueAt(input: unknown, path: string[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
