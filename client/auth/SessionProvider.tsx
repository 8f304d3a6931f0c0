// The session as React context: rendered only once a session exists, so every screen below it can read the
// principal without a null check. Root decides what to show while there is none (the login page).
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Principal } from '../../server/contract/auth';

export interface Session {
  principal: Principal;
  csrfToken: string;
  /** Ends the session on the server, then returns to the login page. */
  logout(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ principal, csrfToken, logout, children }: Session & { children: ReactNode }) {
  const value = useMemo(() => ({ principal, csrfToken, logout }), [principal, csrfToken, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}

/** The session when there is one (components shared with pages that may render without it). */
export function useOptionalSession(): Session | null {
  return useContext(SessionContext);
}
