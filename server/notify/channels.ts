// The request each kind of receiver documents, and how to read its answer. Pure functions of a channel, a notice
// and the time, so that tests compare them with the services' documented formats; sending is the sender's job.
//
// - webhook: our JSON, signed: x-opsmap-signature = "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body),
//   x-opsmap-timestamp = epoch ms. A receiver recomputes it and refuses an old timestamp (a replay).
// - wecom (企业微信群机器人): POST the robot's URL (…/cgi-bin/webhook/send?key=…) with
//   {"msgtype":"markdown","markdown":{"content":…}}; content at most 4096 bytes; answer {"errcode":0,…}.
// - dingtalk (钉钉自定义机器人): POST the robot's URL (…/robot/send?access_token=…) with
//   {"msgtype":"markdown","markdown":{"title":…,"text":…}}; with 加签, &timestamp=<ms>&sign=<urlencoded base64
//   HMAC-SHA256(secret, timestamp + "\n" + secret)>; answer {"errcode":0,…}.
// - smtp: no HTTP request; the mail is composed in mail.ts and sent in smtp.ts.
// - sms: a provider-neutral JSON for an HTTP SMS gateway ({phones, text, templateId?, params}), signed like the
//   webhook; the gateway maps it to its provider (an approved template needs the params, not the text).
import { createHmac } from 'node:crypto';
import type { ChannelConfig } from './config';
import { heading, markdown, smsText, webhookBody, type Notice } from './format';

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export const SIGNATURE_HEADER = 'x-opsmap-signature';
export const TIMESTAMP_HEADER = 'x-opsmap-timestamp';
/** The IETF draft's name: a receiver drops a request whose key it has already taken. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

const WECOM_MAX_BYTES = 4096;
const USER_AGENT = 'OpsMap-Notify/1';

/** The webhook signature: what a receiver recomputes with the shared secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** DingTalk's 加签: base64 HMAC-SHA256 of "timestamp\nsecret" keyed by the secret (URL-encoding is the caller's). */
export function dingtalkSign(secret: string, timestampMs: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function cutBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > max - 3) break;
    out += ch;
    bytes += b;
  }
  return `${out}…`;
}

function signed(channel: ChannelConfig, body: string, nowMs: number, key: string): OutboundRequest {
  const timestamp = String(nowMs);
  return {
    url: channel.url,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': USER_AGENT,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: webhookSignature(channel.secret ?? '', timestamp, body),
      [IDEMPOTENCY_HEADER]: key,
    },
    body,
  };
}

export function buildRequest(channel: ChannelConfig, notice: Notice, nowMs: number): OutboundRequest {
  const lang = channel.language;
  const json = { 'content-type': 'application/json; charset=utf-8', 'user-agent': USER_AGENT };
  switch (channel.type) {
    case 'webhook':
      return signed(channel, JSON.stringify(webhookBody(notice, lang)), nowMs, notice.key);
    case 'wecom':
      return {
        url: channel.url,
        headers: json,
        body: JSON.stringify({
          msgtype: 'markdown',
          markdown: { content: cutBytes(markdown(notice, lang), WECOM_MAX_BYTES) },
        }),
      };
    case 'dingtalk': {
      let url = channel.url;
      if (channel.secret !== undefined) {
        const timestamp = String(nowMs);
        const u = new URL(channel.url);
        u.searchParams.set('timestamp', timestamp);
        // URLSearchParams percent-encodes the base64's + / = as DingTalk's urlEncode does.
        u.searchParams.set('sign', dingtalkSign(channel.secret, timestamp));
        url = u.toString();
      }
      // DingTalk's markdown needs a blank line between lines to break them.
      const text = markdown(notice, lang).split('\n').join('\n\n');
      return {
        url,
        headers: json,
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title: heading(notice, lang), text } }),
      };
    }
    case 'sms': {
      const params = {
        title: notice.title,
        severity: notice.severity,
        transition: notice.transition,
        area: notice.areaName,
        time: notice.at,
        ...(notice.link !== undefined ? { link: notice.link } : {}),
      };
      const body = {
        idempotencyKey: notice.key,
        phones: channel.phones,
        text: smsText(notice, lang, channel.template),
        ...(channel.templateId !== undefined ? { templateId: channel.templateId } : {}),
        params,
      };
      return signed(channel, JSON.stringify(body), nowMs, notice.key);
    }
    case 'smtp':
      // Mail goes over SMTP (smtp.ts), not HTTP: a caller that gets here mixed up the kinds.
      throw new Error(`channel ${channel.id} is an smtp channel: it has no HTTP request`);
  }
}

/** What an answer means: delivered, or why not and whether trying again can help. */
export type Verdict = { ok: true } | { ok: false; reason: string; retry: boolean };

export function judge(channel: ChannelConfig, status: number, text: string): Verdict {
  if (status < 200 || status > 299) {
    // 4xx is our request being wrong (a bad key, a refused signature): the same request will be refused again;
    // 408 and 429 are the receiver asking for time.
    const retry = status >= 500 || status === 408 || status === 429;
    return { ok: false, reason: `HTTP ${status}`, retry };
  }
  if (channel.type === 'wecom' || channel.type === 'dingtalk') {
    // Both robots answer 200 and put the outcome in errcode (e.g. WeCom 45009 / DingTalk 130101: too fast,
    // DingTalk 310000: signature refused).
    let errcode: unknown;
    let errmsg: unknown;
    try {
      ({ errcode, errmsg } = JSON.parse(text) as { errcode?: unknown; errmsg?: unknown });
    } catch {
      return { ok: false, reason: 'answer is not the robot JSON', retry: true };
    }
    if (errcode !== 0) {
      const msg = typeof errmsg === 'string' ? `: ${errmsg.slice(0, 120)}` : '';
      return { ok: false, reason: `errcode ${String(errcode)}${msg}`, retry: true };
    }
  }
  return { ok: true };
}
