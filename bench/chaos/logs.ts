import { readFileSync } from 'node:fs';

/** What the router's own logs say went wrong: unhandled errors (answered 500) and failed background jobs. */
export interface RouterLogFindings {
  /** `level: error` lines by event (`http.unhandled_error`, `job.dead`, `job.poll_failed`, ...). */
  errors: Record<string, number>;
  /** Job handlers that threw and were retried with back-off (`job.failed`). */
  job_failures: number;
  /** Answers of 500 or more to provider webhooks (the provider retries them). */
  webhook_5xx: number;
  /** Up to 10 error lines, their messages cut to 600 characters. */
  examples: { file: string; event: string; message: string }[];
}

export function scanRouterLogs(files: readonly string[]): RouterLogFindings {
  const found: RouterLogFindings = { errors: {}, job_failures: 0, webhook_5xx: 0, examples: [] };
  for (const file of files) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      let entry: { level?: string; event?: string; message?: string; error?: string; path?: string; status?: number };
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // a line cut off by SIGKILL
      }
      if (entry.event === 'http.request' && entry.path?.startsWith('/v1/webhooks/') && (entry.status ?? 0) >= 500) found.webhook_5xx += 1;
      if (entry.event === 'job.failed') found.job_failures += 1;
      if (entry.level !== 'error') continue;
      const event = entry.event ?? 'unknown';
      found.errors[event] = (found.errors[event] ?? 0) + 1;
      if (found.examples.length < 10) found.examples.push({ file, event, message: String(entry.message ?? entry.error ?? line).slice(0, 600) });
    }
  }
  return found;
}
