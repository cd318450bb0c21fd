import { describe, expect, it } from 'vitest';
import { HEADERS, LANGUAGES, matchHeader, normaliseHeader } from './ads-manager-headers.ts';

describe('Ads Manager header table', () => {
  it('matches the English and Spanish headers of every meaning', () => {
    expect(matchHeader('Reporting starts')).toEqual({ meaning: 'reportingStart', language: 'en', currency: null });
    expect(matchHeader('Inicio del informe')).toEqual({ meaning: 'reportingStart', language: 'es', currency: null });
    expect(matchHeader('Nombre del conjunto de anuncios')?.meaning).toBe('adsetName');
    expect(matchHeader('Identificador de la campaña')?.meaning).toBe('campaignId');
    expect(matchHeader('Valor de conversión de compras')?.meaning).toBe('purchaseValue');
    expect(matchHeader('Clics (todos)')?.meaning).toBe('clicksAll');
    for (const [meaning, byLanguage] of Object.entries(HEADERS)) {
      for (const language of LANGUAGES) for (const text of byLanguage[language]) expect(matchHeader(text)?.meaning).toBe(meaning);
    }
  });

  it('ignores case, accents and surrounding or repeated spaces', () => {
    expect(normaliseHeader('  PAÍS ')).toBe('pais');
    expect(matchHeader(' pais')?.meaning).toBe('country');
    expect(matchHeader('DIA')?.meaning).toBe('day');
    expect(matchHeader('nombre de la  campana')?.meaning).toBe('campaignName');
    expect(matchHeader('\tLink Clicks ')?.meaning).toBe('linkClicks');
  });

  it('takes the currency from the spend header, in either language', () => {
    expect(matchHeader('Amount spent (EUR)')).toEqual({ meaning: 'spend', language: 'en', currency: 'EUR' });
    expect(matchHeader('Importe gastado (MXN)')).toEqual({ meaning: 'spend', language: 'es', currency: 'MXN' });
    expect(matchHeader('Amount spent')).toEqual({ meaning: 'spend', language: 'en', currency: null });
    // A currency suffix only counts on a header that carries money.
    expect(matchHeader('Impressions (EUR)')).toBeNull();
  });

  it('does not know columns that are not in the table', () => {
    expect(matchHeader('Attribution setting')).toBeNull();
    expect(matchHeader('date')).toBeNull();
  });
});
