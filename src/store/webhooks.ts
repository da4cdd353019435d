import type { Database } from './database.js';
import { webhookEvents } from './schema.js';

export type WebhookEventResult = 'applied' | 'no_change' | 'unmatched';

export function webhookRepository(db: Database) {
  return {
    /** Records an event once; answers false when it was recorded before (a redelivery). */
    async record(event: {
      gatewayAccountId: string;
      eventId: string;
      type: string;
      reference: string;
      paymentId: string | null;
      result: WebhookEventResult;
    }): Promise<boolean> {
      const rows = await db
        .insert(webhookEvents)
        .values(event)
        .onConflictDoNothing()
        .returning({ eventId: webhookEvents.eventId });
      return rows.length > 0;
    },
  };
}
