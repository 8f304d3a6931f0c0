// "通知渠道 / Channels" in the dashboard's header, for admins only: everyone else never sees the way to a page
// whose API refuses them.
import { useTranslation } from 'react-i18next';
import { can } from '../../server/contract/auth';
import { useOptionalSession } from '../auth/SessionProvider';
import '../styles/brief-link.css';

export const ADMIN_NOTIFY_PATH = '/admin/notify';

export function AdminLink() {
  const { t } = useTranslation('admin');
  const session = useOptionalSession();
  if (!session || !can(session.principal, 'admin')) return null;
  return (
    <a className="brief-link" href={ADMIN_NOTIFY_PATH} title={t('linkTitle')} data-admin-link="notify">
      {t('link')}
    </a>
  );
}
