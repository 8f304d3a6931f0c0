// The pieces of the exports a user meets first: the table's download links carry its filter, CSV fields are
// quoted per RFC 4180 with formulas defused, and file names reach the browser in Chinese and in ASCII.
import { describe, expect, it } from 'vitest';
import { contentDisposition, csvField, csvRow } from '../../server/reports/csv';
import { parseInstant, parseWindow } from '../../server/reports/ticket-filter';
import { NO_FILTER } from '../../client/view/ticket-filter';
import { ticketExportUrl } from '../../client/view/export-url';
import { parseCsv } from '../helpers/csv';

describe('ticketExportUrl', () => {
  it("asks for the table's open tickets of the scope when nothing is filtered", () => {
    expect(ticketExportUrl('csv', NO_FILTER, 'town:110112105')).toBe(
      '/api/v1/export/tickets.csv?area=town%3A110112105&status=open',
    );
  });
  it('carries every filter of the table', () => {
    const url = ticketExportUrl(
      'geojson',
      { area: 'grid:g1', category: 'noise', status: 'dispatched', overdue: false },
      'district:110112',
    );
    expect(url).toBe('/api/v1/export/tickets.geojson?area=grid%3Ag1&status=dispatched&category=noise&overdue=false');
  });
});

describe('CSV fields', () => {
  it('quotes quotes, commas and line breaks, and reads back', () => {
    const values = ['a"b', 'c,d', 'e\nf', 'g\r\nh', '普通', '', 3, true];
    const row = csvRow(values);
    expect(row).toBe('"a""b","c,d","e\nf","g\r\nh",普通,,3,true\r\n');
    expect(parseCsv(row)).toEqual([values.map(String)]);
  });
  it('defuses spreadsheet formulas in text, not in numbers', () => {
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField(-3)).toBe('-3');
  });
});

describe('Content-Disposition', () => {
  it('has an ASCII filename and the Chinese name as RFC 5987 filename*', () => {
    const h = contentDisposition('工单-张家湾镇-2025-07-20.csv', 'tickets-town-110112105-2025-07-20.csv');
    expect(h).toBe(
      `attachment; filename="tickets-town-110112105-2025-07-20.csv"; filename*=UTF-8''${encodeURIComponent('工单-张家湾镇-2025-07-20.csv')}`,
    );
  });
});

describe('window parameters', () => {
  it('reads a date as local midnight, an offset time as given, and a "+" lost to form encoding', () => {
    expect(parseInstant('from', '2025-07-20')).toEqual({ ok: true, value: Date.parse('2025-07-20T00:00:00+08:00') });
    expect(parseInstant('from', '2025-07-20T08:00:00 08:00')).toEqual({
      ok: true,
      value: Date.parse('2025-07-20T00:00:00Z'),
    });
    expect(parseInstant('from', '2025-07-20T08:00:00').ok).toBe(false);
    expect(parseWindow({ from: '2025-07-21', to: '2025-07-20' }).ok).toBe(false);
    expect(parseWindow({})).toEqual({ ok: true, value: undefined });
  });
});
