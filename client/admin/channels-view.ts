// What the admin's channel list shows of a channel, decided without React so that it is tested alone: its
// health in one word, and a test message's outcome in words.
import type { ChannelView, TestSendAnswer } from '../../server/contract/notify';

export type ChannelHealthWord = 'up' | 'down' | 'idle';

/** 'idle': nothing was sent since the server started, so "up" would claim more than is known. */
export function healthOf(c: Pick<ChannelView, 'up' | 'lastDeliveredAt' | 'lastFailureAt'>): ChannelHealthWord {
  if (!c.up) return 'down';
  return c.lastDeliveredAt === undefined && c.lastFailureAt === undefined ? 'idle' : 'up';
}

/** A test send as the row shows it: on its way, the receiver's answer, or the request itself failing. */
export type TestState =
  { state: 'sending' } | { state: 'answered'; answer: TestSendAnswer } | { state: 'error'; message: string };

/** The i18n key and values of a test's outcome. */
export function testMessage(s: TestState): { key: string; values: Record<string, string | number> } {
  switch (s.state) {
    case 'sending':
      return { key: 'test.sending', values: {} };
    case 'answered':
      return s.answer.ok
        ? { key: 'test.delivered', values: { ms: s.answer.ms } }
        : { key: 'test.failed', values: { reason: s.answer.reason ?? '?' } };
    case 'error':
      return { key: 'test.error', values: { message: s.message } };
  }
}
