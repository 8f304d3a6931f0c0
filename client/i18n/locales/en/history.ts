// Namespace history: the time bar under the map. Same keys as zh-CN/history.ts.
import type zh from '../zh-CN/history';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {
  live: 'Live',
  history: 'History',
  banner: 'HISTORY · not live data',
  backToLive: 'Back to live',
  presets: { hour: 'Last hour', today: 'Today', yesterday: 'Yesterday', week: 'Last 7 days', custom: 'Custom' },
  from: 'From',
  to: 'To',
  open: 'Replay',
  play: 'Play',
  pause: 'Pause',
  step: 'Step 1 min',
  speed: 'Speed',
  seek: 'Replay moment',
  at: 'Showing {{time}}',
  ended: 'End of the range',
  loading: 'Rebuilding the past…',
  errors: {
    invalid: 'Range not valid: {{message}}',
    forbidden: 'Not in your area',
    busy: 'The server runs as many replays as it can; try again shortly',
    failed: 'Replay failed: {{message}}',
    offline: 'Connection lost; the replay carries on when it is back',
  },
};

export default en;
