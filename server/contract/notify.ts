// The admin's view of the notification channels (NOTIFY_CONFIG, server/notify/) and of a test message, as the
// server sends them and the client's admin page reads them: how each channel is doing, never its URL, secret,
// password, phone numbers or e-mail addresses (WeCom and DingTalk keep their key in the URL). No Node imports.
import Type, { type Static } from 'typebox';
import { NotifyTransition } from './alerts';

export const ChannelTypeSchema = Type.Union([
  Type.Literal('webhook'),
  Type.Literal('wecom'),
  Type.Literal('dingtalk'),
  Type.Literal('sms'),
  Type.Literal('smtp'),
]);
export type ChannelType = Static<typeof ChannelTypeSchema>;

export const DeadLetter = Type.Object({
  alertId: Type.String(),
  transition: NotifyTransition,
  at: Type.String(),
  reason: Type.String(),
});
export type DeadLetter = Static<typeof DeadLetter>;

export const ChannelView = Type.Object({
  id: Type.String(),
  type: ChannelTypeSchema,
  scope: Type.String(),
  language: Type.Union([Type.Literal('zh'), Type.Literal('en')]),
  minSeverity: Type.String(),
  transitions: Type.Array(NotifyTransition),
  up: Type.Boolean({ description: 'false after a failed request, until the next success' }),
  queued: Type.Integer(),
  inFlight: Type.Integer(),
  delivered: Type.Integer({ description: 'since this process started' }),
  failed: Type.Integer({ description: 'dead-lettered since this process started' }),
  lastDeliveredAt: Type.Optional(Type.String()),
  lastFailureAt: Type.Optional(Type.String()),
  lastFailure: Type.Optional(Type.String()),
  deadLetters: Type.Array(DeadLetter, {
    description: 'The latest messages given up after the last retry (each is also on its alert’s trail)',
  }),
});
export type ChannelView = Static<typeof ChannelView>;

export const ChannelList = Type.Object({ channels: Type.Array(ChannelView) });
export type ChannelList = Static<typeof ChannelList>;

export const TestSendRequest = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);
export type TestSendRequest = Static<typeof TestSendRequest>;

export const TestSendAnswer = Type.Object({
  channel: Type.String(),
  ok: Type.Boolean({ description: 'the receiver took the message' }),
  ms: Type.Integer(),
  reason: Type.Optional(Type.String({ description: 'why not: the receiver’s status or error' })),
});
export type TestSendAnswer = Static<typeof TestSendAnswer>;
