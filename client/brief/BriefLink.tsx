// "日报 / Daily brief": a plain link (it opens a page of its own, printable, and can be opened in a new tab) to
// yesterday's brief of the area on screen, or of the user's own area when that one is outside their scope.
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { useOptionalSession } from '../auth/SessionProvider';
import { briefAreaFor, briefSearch } from './view';
import '../styles/brief-link.css';

export function BriefLink({ tree, area, className }: { tree: AreaTree; area: AreaKey; className?: string }) {
  const { t } = useTranslation('brief');
  const session = useOptionalSession();
  if (!session) return null;
  const target = briefAreaFor(tree, session.principal.scope as AreaKey, area);
  const name = tree.nodes[target]?.name ?? target;
  return (
    <a
      className={className ?? 'brief-link'}
      href={`/brief${briefSearch(target, null)}`}
      title={t('linkTitle', { area: name })}
      data-brief-link={target}
    >
      {t('link')}
    </a>
  );
}
