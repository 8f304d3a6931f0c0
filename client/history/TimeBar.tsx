// The time bar under the map: live, a row of presets to look back; in history, the unmistakable HISTORY state,
// the window's slider, play / pause / step, the speeds, and one click back to live.
import '../styles/history.css';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { REPLAY_SPEEDS } from '../../server/contract/replay';
import { formatters } from '../i18n';
import { useHistory } from './HistoryProvider';
import { PRESETS, fromLocalInput, presetWindow, toLocalInput, type Preset } from './presets';

export function TimeBar() {
  const { t, i18n } = useTranslation('history');
  const f = formatters(i18n.language);
  const h = useHistory();
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);
  const s = h.status;

  const pick = (preset: Preset) => {
    setCustom(null);
    h.start(presetWindow(preset, Date.now()), { speed: preset === 'hour' ? 60 : 600 });
  };
  const openCustom = () => {
    if (!custom) return;
    const from = fromLocalInput(custom.from);
    const to = fromLocalInput(custom.to);
    if (Number.isFinite(from) && Number.isFinite(to)) h.start({ from, to }, { speed: 600 });
  };
  const error = h.error
    ? h.error.code === 'forbidden'
      ? t('errors.forbidden')
      : h.error.code === 'busy'
        ? t('errors.busy')
        : h.error.code === 'invalid'
          ? t('errors.invalid', { message: h.error.message })
          : t('errors.failed', { message: h.error.message })
    : null;

  return (
    <div className="time-bar" data-mode={h.mode} role="region" aria-label={t('history')}>
      {h.mode === 'history' && s ? (
        <>
          <strong className="history-badge" role="status">
            {t('banner')}
          </strong>
          <span className="history-at" data-testid="history-at">
            {t('at', { time: `${f.date(s.at)} ${f.time(s.at)}` })}
          </span>
          <button
            type="button"
            className="history-play"
            onClick={() => h.control({ action: s.playing ? 'pause' : 'play' })}
            disabled={s.ended && !s.playing}
          >
            {s.playing ? t('pause') : t('play')}
          </button>
          <button type="button" onClick={() => h.control({ action: 'step' })} disabled={s.ended}>
            {t('step')}
          </button>
          <input
            type="range"
            className="history-slider"
            aria-label={t('seek')}
            min={s.from}
            max={s.to}
            step={60_000}
            value={s.at}
            onChange={(e) => h.control({ action: 'seek', at: Number(e.currentTarget.value) })}
          />
          <span className="history-range">
            {f.dateTime(s.from)} – {f.dateTime(s.to)}
          </span>
          <span className="history-speeds" role="group" aria-label={t('speed')}>
            {REPLAY_SPEEDS.map((speed) => (
              <button
                key={speed}
                type="button"
                aria-pressed={s.speed === speed}
                onClick={() => h.control({ action: 'speed', speed })}
              >
                {speed}×
              </button>
            ))}
          </span>
          {s.ended && <span className="history-ended">{t('ended')}</span>}
          <button type="button" className="history-live" onClick={h.backToLive}>
            {t('backToLive')}
          </button>
        </>
      ) : (
        <>
          <span className="live-badge">{t('live')}</span>
          <span className="history-presets" role="group" aria-label={t('history')}>
            {PRESETS.map((p) => (
              <button key={p} type="button" data-preset={p} onClick={() => pick(p)} disabled={h.loading}>
                {t(`presets.${p}`)}
              </button>
            ))}
            <button
              type="button"
              onClick={() =>
                setCustom(
                  custom ? null : { from: toLocalInput(Date.now() - 3 * 3600_000), to: toLocalInput(Date.now()) },
                )
              }
            >
              {t('presets.custom')}
            </button>
          </span>
          {custom && (
            <span className="history-custom">
              <label>
                {t('from')}{' '}
                <input
                  type="datetime-local"
                  value={custom.from}
                  onChange={(e) => setCustom({ ...custom, from: e.currentTarget.value })}
                />
              </label>
              <label>
                {t('to')}{' '}
                <input
                  type="datetime-local"
                  value={custom.to}
                  onChange={(e) => setCustom({ ...custom, to: e.currentTarget.value })}
                />
              </label>
              <button type="button" onClick={openCustom}>
                {t('open')}
              </button>
            </span>
          )}
          {h.loading && <span className="history-loading">{t('loading')}</span>}
        </>
      )}
      {error && (
        <span className="history-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
