// A notification links to `/?area=<the alert's area>&alert=<id>`: the dashboard opens at the area (client/view/url.ts)
// and the inbox opens with the alert picked.
import { describe, expect, it } from 'vitest';
import { linkedAlertId } from '../../client/panels/AlertInbox';
import { parseView } from '../../client/view/url';

describe('a link from a notification', () => {
  const search = '?area=grid%3A110112104-017&alert=flood_warning%3Acp-12%3A881';

  it('names the alert the inbox opens at, and the area the map opens at', () => {
    expect(linkedAlertId(search)).toBe('flood_warning:cp-12:881');
    expect(parseView(search, 'district:110112').area).toBe('grid:110112104-017');
  });

  it('names none without the parameter, or with an empty or overlong one', () => {
    expect(linkedAlertId('?area=town%3A110112105')).toBeNull();
    expect(linkedAlertId('?alert=')).toBeNull();
    expect(linkedAlertId(`?alert=${'x'.repeat(129)}`)).toBeNull();
  });
});
