// The column headers Ads Manager writes, by meaning, in each language it exports. One table so that
// another language is one more key per entry. Headers are compared after normaliseHeader (trim,
// lower case, accents removed, inner spaces collapsed), so "País", "pais" and " PAÍS " are one header.
//
// Provenance: Meta's help pages do not list export headers, so each string was checked against
// public Ads Manager export fixtures and parsers written against real exports (English and Spanish,
// es-LA "Costo"/es-ES "Coste"). Seen there: every English string, and Inicio/Fin del informe, Día,
// Nombre de la campaña, Identificador de la campaña, Nombre del conjunto de anuncios, Identificador
// del conjunto de anuncios, Nombre/Identificador del anuncio, Importe gastado (XXX), Divisa,
// Impresiones, Alcance, Clics en el enlace, Clics (todos), Compras, Valor de conversión de compras,
// Resultados, Indicador/Tipo de resultado, Edad, Sexo, Frecuencia, the CTR/CPC/CPM/ROAS columns.
// Inferred from Meta's Spanish UI wording (no public export seen): País, the "ID de …" variants,
// Moneda, and the es-ES "Coste …" variants. The ad set budget columns ("Ad set budget", "Ad set
// budget type"; "Presupuesto del conjunto de anuncios", "Tipo de presupuesto del conjunto de
// anuncios") are in public exports in both languages, with the English type values "Daily" and
// "Lifetime", and "Using campaign budget" in the budget cell of an ad set under a campaign budget.

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export type HeaderMeaning =
  | 'reportingStart' | 'reportingEnd' | 'day'
  | 'campaignName' | 'campaignId' | 'adsetName' | 'adsetId' | 'adName' | 'adId'
  | 'spend' | 'currency' | 'impressions' | 'reach' | 'linkClicks' | 'clicksAll'
  | 'purchases' | 'purchaseValue' | 'results' | 'resultIndicator'
  | 'country' | 'age' | 'gender'
  | 'adsetBudget' | 'adsetBudgetType'
  // Recognised so they are not reported as unknown, but not imported: each is derived from the columns above.
  | 'ctr' | 'cpc' | 'cpm' | 'frequency' | 'costPerResult' | 'roas';

/** Columns whose header carries the currency, e.g. "Amount spent (EUR)" / "Importe gastado (EUR)". */
export const CURRENCY_IN_HEADER: ReadonlySet<HeaderMeaning> = new Set(['spend', 'cpc', 'cpm', 'costPerResult', 'adsetBudget']);

export const HEADERS: Readonly<Record<HeaderMeaning, Readonly<Record<Language, readonly string[]>>>> = {
  reportingStart: { en: ['Reporting starts'], es: ['Inicio del informe'] },
  reportingEnd: { en: ['Reporting ends'], es: ['Fin del informe'] },
  day: { en: ['Day'], es: ['Día'] },
  campaignName: { en: ['Campaign name'], es: ['Nombre de la campaña'] },
  campaignId: { en: ['Campaign ID'], es: ['Identificador de la campaña', 'ID de la campaña'] },
  adsetName: { en: ['Ad set name'], es: ['Nombre del conjunto de anuncios'] },
  adsetId: { en: ['Ad set ID'], es: ['Identificador del conjunto de anuncios', 'ID del conjunto de anuncios'] },
  adName: { en: ['Ad name'], es: ['Nombre del anuncio'] },
  adId: { en: ['Ad ID'], es: ['Identificador del anuncio', 'ID del anuncio'] },
  spend: { en: ['Amount spent'], es: ['Importe gastado'] },
  currency: { en: ['Currency'], es: ['Divisa', 'Moneda'] },
  impressions: { en: ['Impressions'], es: ['Impresiones'] },
  reach: { en: ['Reach'], es: ['Alcance'] },
  linkClicks: { en: ['Link clicks'], es: ['Clics en el enlace'] },
  clicksAll: { en: ['Clicks (all)'], es: ['Clics (todos)'] },
  purchases: { en: ['Purchases', 'Website purchases'], es: ['Compras', 'Compras en el sitio web'] },
  // Both spellings occur in public exports ("Purchases conversion value" is the current English column).
  purchaseValue: { en: ['Purchases conversion value', 'Purchase conversion value', 'Website purchases conversion value'], es: ['Valor de conversión de compras'] },
  results: { en: ['Results'], es: ['Resultados'] },
  resultIndicator: { en: ['Result indicator', 'Result type'], es: ['Indicador de resultado', 'Tipo de resultado'] },
  country: { en: ['Country'], es: ['País'] },
  age: { en: ['Age'], es: ['Edad'] },
  gender: { en: ['Gender'], es: ['Sexo'] },
  adsetBudget: { en: ['Ad set budget'], es: ['Presupuesto del conjunto de anuncios'] },
  adsetBudgetType: { en: ['Ad set budget type'], es: ['Tipo de presupuesto del conjunto de anuncios'] },
  ctr: { en: ['CTR (link click-through rate)', 'CTR (all)'], es: ['CTR (porcentaje de clics en el enlace)', 'CTR (todos)'] },
  cpc: { en: ['CPC (cost per link click)'], es: ['CPC (coste por clic en el enlace)', 'CPC (costo por clic en el enlace)'] },
  cpm: { en: ['CPM (cost per 1,000 impressions)'], es: ['CPM (coste por mil impresiones)', 'CPM (costo por mil impresiones)'] },
  frequency: { en: ['Frequency'], es: ['Frecuencia'] },
  costPerResult: { en: ['Cost per result', 'Cost per results'], es: ['Coste por resultado', 'Costo por resultados', 'Costo por resultado'] },
  roas: { en: ['Purchase ROAS (return on ad spend)'], es: ['ROAS de las compras', 'ROAS (retorno de la inversión en publicidad)'] },
};

/** Trimmed, lower case, accents removed, inner whitespace collapsed. */
export function normaliseHeader(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

// "Amount spent (EUR)": a name, then an ISO 4217 code in parentheses at the end.
const CURRENCY_SUFFIX = /^(.*\S)\s*\(([a-z]{3})\)$/;

const BY_NORMALISED: ReadonlyMap<string, { meaning: HeaderMeaning; language: Language }> = (() => {
  const map = new Map<string, { meaning: HeaderMeaning; language: Language }>();
  for (const [meaning, byLanguage] of Object.entries(HEADERS) as [HeaderMeaning, Record<Language, readonly string[]>][]) {
    for (const language of LANGUAGES) {
      for (const text of byLanguage[language]) map.set(normaliseHeader(text), { meaning, language });
    }
  }
  return map;
})();

export interface HeaderMatch {
  meaning: HeaderMeaning;
  language: Language;
  /** ISO 4217 code taken from the header, upper case, when the header carries one. */
  currency: string | null;
}

/** The meaning of one header cell, or null when it is not an Ads Manager column this importer knows. */
export function matchHeader(raw: string): HeaderMatch | null {
  const text = normaliseHeader(raw);
  const exact = BY_NORMALISED.get(text);
  if (exact) return { ...exact, currency: null };
  const m = CURRENCY_SUFFIX.exec(text);
  if (m) {
    const base = BY_NORMALISED.get(m[1]!);
    if (base && CURRENCY_IN_HEADER.has(base.meaning)) return { ...base, currency: m[2]!.toUpperCase() };
  }
  return null;
}

/** The headers a user should see when a file is not recognised (the first string of each language). */
export function expectedHeaders(meanings: readonly HeaderMeaning[]): string {
  return meanings.map((m) => LANGUAGES.map((l) => `"${HEADERS[m][l][0]}${CURRENCY_IN_HEADER.has(m) ? ' (EUR)' : ''}"`).join(' / ')).join(', ');
}
