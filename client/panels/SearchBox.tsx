// The header's search box: a ticket id or title, a place (town, community / village, grid cell, property district,
// forest cluster, checkpoint, patrol point, also by pinyin initials) or a ranger / tracker, within the user's
// scope (the server keeps to it). `/` focuses it from anywhere but a text field; arrows move through the results,
// Enter chooses, Escape closes. While an IME composes (拼音 being typed into 汉字) nothing is asked: the letters on
// the way are not what the user means, so the query goes out at compositionend.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchAnswer, SearchHit } from '../../server/contract/search';
import { apiFetch } from '../auth/session';
import '../styles/search.css';

/** Wait this long after the last keystroke: a fast typist's id makes one request, not ten. */
const DEBOUNCE_MS = 180;
const LIMIT = 12;

type State = { q: string; hits: SearchHit[]; status: 'idle' | 'loading' | 'done' | 'error' };

/** Is the key press meant for a text field (where `/` is just a character)? */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function SearchBox({ onChoose }: { onChoose: (hit: SearchHit) => void }) {
  const { t } = useTranslation('panels');
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [composing, setComposing] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [result, setResult] = useState<State>({ q: '', hits: [], status: 'idle' });

  // `/` focuses the box, as on GitHub and in Grafana.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const q = text.trim();
  useEffect(() => {
    if (composing) return;
    if (!q) {
      setResult({ q: '', hits: [], status: 'idle' });
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      setResult((r) => ({ ...r, status: 'loading' }));
      apiFetch(`/api/v1/search?q=${encodeURIComponent(q)}&limit=${LIMIT}`, { signal: abort.signal })
        .then(async (res) => {
          if (!res.ok) throw new Error(String(res.status));
          const body = (await res.json()) as SearchAnswer;
          setResult({ q, hits: body.hits, status: 'done' });
          setActive(0);
        })
        .catch(() => {
          if (!abort.signal.aborted) setResult({ q, hits: [], status: 'error' });
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [q, composing]);

  const choose = useCallback(
    (hit: SearchHit) => {
      onChoose(hit);
      setOpen(false);
      input.current?.blur();
    },
    [onChoose],
  );

  const hits = result.q === q ? result.hits : [];
  const showList = open && q.length > 0;
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    // Keys that confirm an IME candidate must not also choose a result.
    if (composing || e.nativeEvent.isComposing) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (hits.length > 0) setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : hits.length - 1)) % hits.length);
    } else if (e.key === 'Enter') {
      const hit = hits[active];
      if (hit) {
        e.preventDefault();
        choose(hit);
      }
    } else if (e.key === 'Escape') {
      if (open && q) setOpen(false);
      else input.current?.blur();
    }
  };

  return (
    <div className="search" data-status={result.status} role="search">
      <input
        ref={input}
        type="search"
        className="search-input"
        value={text}
        placeholder={t('search.placeholder')}
        aria-label={t('search.label')}
        aria-keyshortcuts="/"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && hits[active] ? `${listId}-${active}` : undefined}
        enterKeyHint="search"
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onCompositionStart={() => setComposing(true)}
        onCompositionEnd={(e) => {
          setComposing(false);
          setText(e.currentTarget.value);
        }}
        onFocus={() => setOpen(true)}
        // Later than the click on a result, which would otherwise close before it lands.
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {/* The shortcut, where there is a keyboard (CSS hides it on touch screens and while the box is used). */}
      {!text && (
        <kbd className="search-shortcut" title={t('search.shortcut')} aria-hidden="true">
          /
        </kbd>
      )}
      {showList && (
        <ul className="search-results" id={listId} role="listbox" aria-label={t('search.results')}>
          {hits.map((hit, i) => (
            <li
              key={`${hit.kind}:${hit.id}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              data-kind={hit.kind}
              data-id={hit.id}
              onMouseEnter={() => setActive(i)}
              // mousedown, not click: it comes before the input's blur.
              onMouseDown={(e) => {
                e.preventDefault();
                choose(hit);
              }}
            >
              <span className="search-kind">{t(`search.kind.${hit.kind}`)}</span>
              <span className="search-name">{hit.name}</span>
              {hit.context && <span className="search-context">{hit.context}</span>}
            </li>
          ))}
          {hits.length === 0 && (
            <li className="search-empty" role="presentation">
              {result.status === 'error'
                ? t('search.error')
                : result.status === 'done' && result.q === q
                  ? t('search.none')
                  : t('search.searching')}
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
