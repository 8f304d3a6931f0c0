// The live feed: the latest 50 things that happened in the followed scope, newest first (live/feed.ts derives
// them from the deltas). Alarms (urgent tickets, overdue, orange/red water, fire risk, lost signal) stand out;
// a click picks the object on the map and opens its detail.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaTree } from '../../server/contract/areas';
import { formatters } from '../i18n';
import { useLayer } from '../geo/layers';
import { FEED_LENGTH } from '../live/feed';
import { useLive } from '../live/SocketController';
import type { ObjectSelection } from '../view/selection';
import { feedArea, feedLine, type FeedNames } from './feed-view';
import '../styles/panels.css';

export interface FeedProps {
  tree: AreaTree;
  onSelectObject: (selection: ObjectSelection) => void;
}

export function Feed({ tree, onSelectObject }: FeedProps) {
  const { t, i18n } = useTranslation('panels');
  const live = useLive();
  const f = formatters(i18n.language);
  const checkpointLayer = useLayer('checkpoints');
  const checkpoints = useMemo(
    () => new Map((checkpointLayer?.features ?? []).map((c) => [c.properties.id, c.properties])),
    [checkpointLayer],
  );

  const names: FeedNames = {
    category: (c) => t(`category.${c}`),
    status: (s) => t(`status.${s}`),
    color: (c) => t(`color.${c}`),
    incidentType: (x) => t(`incidentType.${x}`),
    checkpoint: (id) => checkpoints.get(id)?.name ?? id,
    level: (m) => f.metres(m),
  };
  const places = {
    tree,
    tickets: live.tickets,
    rangers: live.rangers,
    incidents: live.incidents,
    checkpointTown: (id: string) => checkpoints.get(id)?.townId,
  };
  const severe = live.feed.filter((i) => i.severe).length;

  return (
    <section className="panel feed" aria-label={t('feed.label')}>
      <header className="panel-head">
        <h2>{t('feed.title')}</h2>
        {severe > 0 && <span className="feed-badge">{`${t('feed.severe')} ${f.number(severe)}`}</span>}
        <span className="panel-sub">{t('feed.count', { count: live.feed.length })}</span>
      </header>
      {live.feed.length === 0 ? (
        <p className="panel-empty">{t('feed.empty')}</p>
      ) : (
        <ol className="feed-list">
          {live.feed.slice(0, FEED_LENGTH).map((item) => {
            const line = feedLine(item, names);
            const area = feedArea(item, places);
            return (
              <li key={item.id}>
                <button
                  type="button"
                  className={`feed-item feed-item--${line.tone}${item.severe ? ' feed-item--severe' : ''}`}
                  data-feed-kind={item.kind}
                  onClick={() => onSelectObject(item.subject)}
                >
                  <span className="feed-icon" aria-hidden="true">
                    {line.icon}
                  </span>
                  <time className="feed-time" dateTime={new Date(item.at).toISOString()}>
                    {f.when(item.at)}
                  </time>
                  <span className="feed-text">{t(line.key, line.values)}</span>
                  {area && <span className="feed-area">{area}</span>}
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
