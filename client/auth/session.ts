// The browser's side of a session: the session cookie is httpOnly (script never sees it), so the client asks
// the server who it is (GET /api/v1/auth/session) and keeps only the CSRF token it must echo on every write.
// apiFetch is the one way the client talks to the API as a person: same-origin credentials, the CSRF header
// on writes, and a 401 announced once to the app ('session:expired') so it can show the login page again.
import { CSRF_HEADER, type SessionInfo } from '../../server/contract/auth';

/** Dispatched on window when the server answers 401 to a request that carried the session. */
export const SESSION_EXPIRED = 'session:expired';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | null = null;

/** The token apiFetch sends on writes; set by every call that returns a SessionInfo. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** An answer the server refused, with its machine-readable code ('unauthenticated', 'not_in_scope', …). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads the server's error body ({ code, message }) when there is one. */
export async function apiError(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  return new ApiError(res.status, code, message);
}

export interface ApiInit extends RequestInit {
  /** A JSON body; sets the content type. */
  json?: unknown;
  /** Do not announce a 401 (the session probe and the login form expect one). */
  quiet401?: boolean;
}

export async function apiFetch(path: string, init: ApiInit = {}): Promise<Response> {
  const { json, quiet401, ...rest } = init;
  const method = (rest.method ?? (json === undefined ? 'GET' : 'POST')).toUpperCase();
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  if (WRITES.has(method) && csrfToken) headers.set(CSRF_HEADER, csrfToken);
  const res = await fetch(path, {
    ...rest,
    method,
    headers,
    body: json === undefined ? rest.body : JSON.stringify(json),
    credentials: 'same-origin',
  });
  if (res.status === 401 && !quiet401 && typeof window !== 'undefined')
    window.dispatchEvent(new Event(SESSION_EXPIRED));
  return res;
}

/** apiFetch, then the JSON body; throws ApiError on a non-2xx answer. */
export async function apiJson<T>(path: string, init: ApiInit = {}): Promise<T> {
  const res = await apiFetch(path, init);
  if (!res.ok) throw await apiError(res);
  return (await res.json()) as T;
}

function keep(info: SessionInfo): SessionInfo {
  setCsrfToken(info.csrfToken);
  return info;
}

/** Who the cookie belongs to; null when there is no (valid) session. Other failures throw. */
export async function fetchSession(): Promise<SessionInfo | null> {
  const res = await apiFetch('/api/v1/auth/session', { quiet401: true });
  if (res.status === 401) {
    setCsrfToken(null);
    return null;
  }
  if (!res.ok) throw await apiError(res);
  return keep((await res.json()) as SessionInfo);
}

/** Logs in; a wrong password is ApiError 401, too many attempts ApiError 429. */
export async function login(username: string, password: string): Promise<SessionInfo> {
  return keep(
    await apiJson<SessionInfo>('/api/v1/auth/login', { method: 'POST', json: { username, password }, quiet401: true }),
  );
}

/** A wall device trades its token (from /wall?device=…) for a device cookie. */
export async function loginDevice(token: string): Promise<SessionInfo> {
  return keep(await apiJson<SessionInfo>('/api/v1/auth/device', { method: 'POST', json: { token }, quiet401: true }));
}

export async function logout(): Promise<void> {
  try {
    await apiFetch('/api/v1/auth/logout', { method: 'POST', json: {}, quiet401: true });
  } finally {
    setCsrfToken(null);
  }
}
