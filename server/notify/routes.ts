// Admin routes of the notification channels: how each one is doing (queue, last success and failure, recent
// dead letters) and a test message on demand, so an admin setting up a WeCom or DingTalk robot sees at once
// whether the group got it (the client's page: client/admin/NotifyAdmin.tsx). Never a URL, a secret, a password,
// a phone number or an e-mail address in an answer: WeCom and DingTalk keep their key in the URL.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses } from '../contract/errors';
import { ChannelList, TestSendAnswer, TestSendRequest } from '../contract/notify';
import { requireAbility } from '../auth/guard';
import { doc, SESSION } from '../openapi/spec';
import type { Notifier } from './notifier';

export const notifyRoutes: FastifyPluginAsyncTypebox<{ notifier: Notifier | undefined }> = async (
  app,
  { notifier },
) => {
  app.addHook('preHandler', requireAbility('admin'));
  const admin = (summary: string, description?: string) => doc('admin', summary, SESSION, description);

  app.get(
    '/api/v1/admin/notify/channels',
    {
      schema: {
        ...admin(
          'The notification channels (NOTIFY_CONFIG) and how each is doing',
          'Never a URL, a secret, a password, a phone number or an e-mail address. Empty without NOTIFY_CONFIG.',
        ),
        response: { 200: ChannelList, ...errorResponses(401, 403) },
      },
    },
    async () => {
      if (!notifier) return { channels: [] };
      const config = new Map(notifier.channels.map((c) => [c.id, c]));
      return {
        channels: notifier.health().map((h) => {
          const c = config.get(h.id)!;
          return {
            ...h,
            language: c.language,
            minSeverity: c.minSeverity,
            transitions: [...c.transitions],
          };
        }),
      };
    },
  );

  app.post(
    '/api/v1/admin/notify/channels/:id/test',
    {
      schema: {
        ...admin(
          'Send a test message to one channel now',
          'One request, no retry, not written to the log; the answer says whether the receiver took it.',
        ),
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: TestSendRequest,
        response: { 200: TestSendAnswer, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const r = await notifier?.testSend(id, request.body.note);
      if (!r) {
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', code: 'not_found', message: `no notification channel '${id}'` });
      }
      return { channel: id, ...r };
    },
  );
};

/** What /readyz tells of each channel: counts only (the route is open to operations). */
export const NotifyReadiness = Type.Record(
  Type.String(),
  Type.Object({ up: Type.Boolean(), queued: Type.Integer(), failed: Type.Integer() }),
  { description: 'Per notification channel: up (its last request succeeded), messages queued, dead-lettered' },
);

export function notifyReadiness(notifier: Notifier): Record<string, { up: boolean; queued: number; failed: number }> {
  return Object.fromEntries(notifier.health().map((h) => [h.id, { up: h.up, queued: h.queued, failed: h.failed }]));
}
