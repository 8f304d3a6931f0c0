// The login page: zh-CN by default with the product's language toggle, a plain form that works with the
// keyboard alone (labels, autofocus, Enter submits), and errors that say what to do: a wrong password, or too
// many attempts (the server rate-limits logins and answers 429).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../server/contract/auth';
import { setLanguage, type Language } from '../i18n';
import { ApiError, login } from './session';
import '../styles/auth.css';

export function loginErrorKey(error: unknown): { key: string; message?: string } {
  if (error instanceof ApiError && error.status === 401) return { key: 'login.wrong' };
  if (error instanceof ApiError && error.status === 429) return { key: 'login.tooMany' };
  return { key: 'login.failed', message: error instanceof Error ? error.message : String(error) };
}

export function LoginPage({ onLoggedIn, notice }: { onLoggedIn: (info: SessionInfo) => void; notice?: string | null }) {
  const { t, i18n } = useTranslation('auth');
  const other: Language = i18n.language === 'en' ? 'zh-CN' : 'en';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await login(username.trim(), password));
    } catch (err) {
      const { key, message } = loginErrorKey(err);
      setError(t(key, { message }));
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <div className="app theme-wall login-page" data-page="login">
      <header className="login-top">
        <button
          type="button"
          className="lang-toggle"
          data-lang={i18n.language}
          aria-label={t('common:language.label')}
          onClick={() => setLanguage(i18n, other)}
        >
          {t('common:language.toggle')}
        </button>
      </header>
      <main className="login-main">
        <form className="panel login-card" aria-label={t('login.label')} onSubmit={(e) => void submit(e)} noValidate>
          <div className="brand">
            <span className="brand-mark" aria-hidden="true" />
            <div>
              <h1>{t('common:title')}</h1>
              <p className="subtitle">{t('common:subtitle')}</p>
            </div>
          </div>
          <h2>{t('login.title')}</h2>
          {notice && (
            <p className="login-notice" role="status">
              {notice}
            </p>
          )}
          <label className="login-field">
            <span>{t('login.username')}</span>
            <input
              name="username"
              autoComplete="username"
              autoFocus
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </label>
          <label className="login-field">
            <span>{t('login.password')}</span>
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          {error && (
            <p className="login-error" role="alert" data-login-error="">
              {error}
            </p>
          )}
          <button type="submit" className="login-submit" disabled={busy || username.trim() === '' || password === ''}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
          <p className="login-hint">{t('login.hint')}</p>
        </form>
      </main>
    </div>
  );
}
