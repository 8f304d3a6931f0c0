// A property district's monthly scores (履约评价) on its detail: the last months as a small table, newest first,
// each with its score, a bar on the 50–100 scale the scores use, and the change against the month before.
import { useTranslation } from 'react-i18next';
import type { PropertyMonthScore } from '../../server/contract/area-figures';
import { formatters } from '../i18n';

/** The bar's scale: scores lie between 50 and 100, so a 0–100 bar would make every district look alike. */
const FLOOR = 50;

export function PropertyScores({ scores }: { scores: readonly PropertyMonthScore[] }) {
  const { t, i18n } = useTranslation('panels');
  const f = formatters(i18n.language);
  const rows = scores.map((s, i) => ({ ...s, change: i > 0 ? s.score - scores[i - 1]!.score : null })).reverse();
  return (
    <table className="property-scores" aria-label={t('detail.scoreSeries')} data-months={scores.length}>
      <caption>{t('detail.scoreSeries')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('detail.scoreMonth')}</th>
          <th scope="col">{t('detail.score')}</th>
          <th scope="col">{t('detail.scoreChange')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.month} data-month={r.month} title={r.by ? `${r.by} · ${f.dateTime(r.at)}` : f.dateTime(r.at)}>
            <th scope="row">{r.month}</th>
            <td>
              <span className="detail-rate-bar property-score-bar" aria-hidden="true">
                <span style={{ width: `${Math.max(0, Math.min(1, (r.score - FLOOR) / (100 - FLOOR))) * 100}%` }} />
              </span>
              <span className="property-score-value">{f.number(r.score)}</span>
            </td>
            <td
              className={`property-score-change${r.change === null || r.change === 0 ? '' : r.change > 0 ? ' property-score-change--up' : ' property-score-change--down'}`}
            >
              {r.change === null
                ? '—'
                : `${r.change > 0 ? '+' : r.change < 0 ? '−' : '±'}${f.number(Math.abs(r.change))}`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
