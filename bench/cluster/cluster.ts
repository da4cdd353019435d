import { join } from 'node:path';
import { startChild, stopAll, type Child } from '../load/processes.js';
import { startBalancer, type Balancer } from './balancer.js';

export interface Instance {
  url: string;
  pid: number;
}

export interface Cluster {
  instances: Instance[];
  balancer: Balancer;
  close(): Promise<void>;
}

/** `count` router processes on `databaseUrl` and a round-robin balancer in front of them. */
export async function startCluster(options: { count: number; databaseUrl: string; env: Record<string, string | undefined>; workDir: string }): Promise<Cluster> {
  const children: Child<{ url: string }>[] = [];
  try {
    const started = await Promise.all(
      Array.from({ length: options.count }, (_, index) =>
        startChild<{ url: string }>({
          name: `router-${index + 1}`,
          file: '../cluster/router-process.ts',
          args: ['--seed', String(index + 1)],
          env: { ...options.env, DATABASE_URL: options.databaseUrl },
          logFile: join(options.workDir, `router-${options.count}x-${index + 1}.log`),
          timeoutMs: 120_000,
        }).then((child) => (children.push(child), child)),
      ),
    );
    const instances = started.map((child) => ({ url: child.ready.url, pid: child.pid }));
    const balancer = await startBalancer(instances.map((instance) => instance.url));
    return {
      instances,
      balancer,
      async close() {
        await balancer.close();
        await stopAll(children);
      },
    };
  } catch (error) {
    await stopAll(children);
    throw error;
  }
}
