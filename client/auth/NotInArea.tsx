// "不在您的管辖范围 / Not in your area": shown instead of the map and panels when the view's area lies outside
// the principal's scope, so nothing of that area is ever asked for or drawn; one button back to their own area.
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import '../styles/auth.css';

export function NotInArea({
  tree,
  area,
  home,
  onBack,
}: {
  tree: AreaTree;
  area: AreaKey;
  home: AreaKey;
  onBack: () => void;
}) {
  const { t } = useTranslation('auth');
  const areaName = tree.nodes[area]?.name ?? area;
  const scopeName = tree.nodes[home]?.name ?? home;
  return (
    <main className="not-in-area" data-page="not-in-area" data-area={area}>
      <section className="not-in-area-card" role="alert" aria-labelledby="not-in-area-title">
        <h2 id="not-in-area-title">{t('notInArea.title')}</h2>
        <p>{t('notInArea.body', { area: areaName, scope: scopeName })}</p>
        <button type="button" onClick={onBack} autoFocus>
          {t('notInArea.back', { scope: scopeName })}
        </button>
      </section>
    </main>
  );
}
