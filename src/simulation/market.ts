// The STUB market: a seeded, synthetic Meta ads account whose ground truth is known, so that the
// optimizer can be developed, demonstrated and backtested without touching Meta.
//
// Every number comes from the seed (no clock, no Math.random): the same options give the same rows,
// byte for byte. Each campaign has a hidden truth (getTruth) and the rows are noisy observations of it:
//   - countries: ES + LATAM (MX AR CO CL PE) + EU (FR DE IT PT), each with its own CPM, CTR, CVR and
//     order value, drawn around 2026 levels; spend buys impressions on a saturating curve
//     impressions = capacity·(1 − exp(−spend/saturationSpend)), so the response to budget is concave;
//   - segments (interests, behaviors, custom audiences, lookalikes): true CTR/CVR/order value with
//     real spread, and daily impression capacity spanning 100–400x (lognormal), so evidence per
//     segment differs widely; about 5 % are fatigued (CTR decays, frequency rises, at the end);
//   - demographics: 6 age buckets × 3 genders, each with its own rates;
//   - daily noise: binomial clicks and conversions, gamma order values, weekend effects, a mild trend.
// Rows come per day × campaign × ad set in three kinds that never overlap — country rows, segment
// rows, demographic rows — each kind a full breakdown of the same delivery: within an ad set-day the
// three kinds carry exactly the same spend and impressions, and the same clicks and revenue in
// expectation. Sum one kind, never two.
//
// The family option (src/simulation/families.ts) changes the market's assumptions: where
// saturation shows (impressions, conversion rate, both), how segment rows arise (one union's
// breakdown, one ad set per segment funded by the advertiser's policy, shared ad sets) and how
// sizes relate to value. The default family is the market described above, row for row.
import { createRng, deriveSeed } from '../engine/random.ts';
import type { Rng } from '../engine/random.ts';
import { equalShares, isCurrencyCode, minorDigits, splitExact } from '../engine/money.ts';
import { AGE_BUCKETS, GENDERS } from '../engine/types.ts';
import type { AgeBucket, Gender, InsightRow, PixelEventCount, SegmentType } from '../engine/types.ts';
import { axisOf, type CountryCountAxis, DEFAULT_FAMILY, type FundingAxis, type MarketFamily } from './families.ts';
import { orderSum } from './orders.ts';
import { optimizedTilt } from './delivery.ts';
import { reportedRow } from './reporting.ts';
import { conversionFactor, type CountryResponse, trueImpressions, type ValueScale } from './response.ts';
import { gain, matchingX } from './response-shape.ts';

// ---- Public API ----

export interface StubMarketOptions {
  seed: number | string;
  campaigns: number;
  days: number;
  /** YYYY-MM-DD, the last day (inclusive); the caller passes it, there is no clock in here. */
  endDate: string;
  /** ISO 4217; default EUR. */
  currency?: string;
  /** Default 60. Beyond the catalogue, names cycle with suffixes ("Running (fans)"), ids stay unique. */
  interestsPerCampaign?: number;
  /** Default 20. */
  behaviorsPerCampaign?: number;
  /** Default 2. */
  adsetsPerCampaign?: number;
  /** Generate these campaigns (length must equal `campaigns`); otherwise ids come from the seed. */
  campaignIds?: string[];
  /** The market's assumptions (src/simulation/families.ts); default DEFAULT_FAMILY, the original market. */
  family?: MarketFamily;
  /**
   * Seeds the noise of the history's rows instead of `seed`: the same market (its truth,
   * catalogue, sizes and pixel) with another draw of its days. Default `seed`.
   */
  historySeed?: number | string;
}

export interface StubCampaign {
  campaignId: string;
  name: string;
  adsetIds: string[];
}

export interface StubMarket {
  campaigns: StubCampaign[];
  /** Streams rows day by day, so 90 days × 2,500 segments never sits in memory at once. */
  rows(): Iterable<InsightRow>;
  /** Pixel events over the window by content category; [] for a campaign the market does not have. */
  pixelEvents(campaignId: string): PixelEventCount[];
  rowCount(): number;
  /**
   * Meta's audience size estimate of each interest and behavior of a campaign, as the targeting
   * search gives it (audience_size_lower_bound/upper_bound): a rounded range around a noisy
   * estimate of the true size (see audienceSizeEstimates). [] for a campaign the market does not have.
   * A separate output from rows(): asking for it changes no row.
   */
  audienceSizes(campaignId: string): StubAudienceSize[];
}

/** One segment's audience size estimate, people (Meta's lower and upper bound). */
export interface StubAudienceSize {
  segmentType: 'interest' | 'behavior';
  segmentId: string;
  lower: number;
  upper: number;
}

/**
 * A country's typical spend over its saturation spend, from one uniform draw (the same draw in
 * every family, so that the rest of the seed's stream is shared). Funded by capacity: 0.3–1.1,
 * where the first euro buys 16–58 % more impressions than the average euro (u / (1 − e^−u)).
 * Funded by habit: 0.1–3, log-uniform, from a country barely tried to one funded far past its bend.
 */
function typicalOverSaturation(draw: number, funding: FundingAxis): number {
  return funding === 'habit' ? 0.1 * 30 ** draw : 0.3 + 0.8 * draw;
}

/** The indices (into COUNTRY_CENTRES) of the countries a campaign delivers in: all, or Spain and two others drawn. */
function keptCountries(count: CountryCountAxis, rng: Rng): Set<number> {
  const all = COUNTRY_CENTRES.map((_, i) => i);
  if (count === 'ten') return new Set(all);
  const others = all.slice(1);
  for (let i = others.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [others[i], others[j]] = [others[j]!, others[i]!];
  }
  return new Set([0, ...others.slice(0, 2)]);
}

/** The spread of a drifting country's daily drift (family drift 'countries'): ±2 %/day typical, clamped at ±4 %. */
export const DRIFT_PER_DAY_SD = 0.02;

/**
 * The countries as they stand `daysAfter` days after the history's last day: each drifting
 * country's conversion rate moved on by its drift; the same array where none drifts.
 */
export function countriesOnDay(c: StubCampaignTruth, daysAfter: number): readonly StubCountryTruth[] {
  if (!c.countries.some((k) => k.driftPerDay !== undefined)) return c.countries;
  return c.countries.map((k) => (k.driftPerDay === undefined ? k : { ...k, cvr: k.cvr * Math.exp(k.driftPerDay * daysAfter) }));
}

/** A country of the market: where its budget goes and how it responds (response.ts). */
export interface StubCountryTruth extends CountryResponse {
  readonly region: 'ES' | 'EU' | 'LATAM';
  /** Share of the campaign's daily budget before daily noise. */
  readonly budgetShare: number;
  /**
   * The country's own drift (family drift 'countries'; absent = none): its conversion rate n days
   * after the history's last day (n < 0 inside the history) is `cvr` × e^(driftPerDay·n), so `cvr`
   * is the last day's; the loop's days continue it (countriesOnDay).
   */
  readonly driftPerDay?: number;
}

export interface StubSegmentTruth {
  readonly segmentType: SegmentType;
  readonly segmentId: string;
  readonly segmentName: string;
  /** The interest's genre; null for behaviors and audiences. */
  readonly genre: string | null;
  /** Daily impressions the segment can absorb; delivered impressions are about half of it. */
  readonly sizeImpressions: number;
  readonly ctr: number;
  readonly cvr: number;
  readonly revenuePerConversionMinor: number;
  /** Relative CPM (1 = the ad set's average). */
  readonly cpmMultiplier: number;
  /** Impressions per person per day before fatigue. */
  readonly baseFrequency: number;
  readonly fatigued: boolean;
  /** CTR falls linearly to (1 − fatigueDepth) of its value over the last `fatigueDays`; 0 when not fatigued. */
  readonly fatigueDepth: number;
}

export interface StubDemographicTruth {
  readonly age: AgeBucket;
  readonly gender: Gender;
  readonly impressionShare: number;
  readonly ctr: number;
  readonly cvr: number;
  readonly revenuePerConversionMinor: number;
  readonly cpmMultiplier: number;
}

export interface StubAdsetTruth {
  readonly adsetId: string;
  readonly budgetShare: number;
  /** Creative quality and audience: multiplies every CTR / CVR / order value of the ad set. */
  readonly ctrMultiplier: number;
  readonly cvrMultiplier: number;
  readonly aovMultiplier: number;
  /** The segments the ad set targets; null = all of them, its rows a breakdown by size (the 'union' family). */
  readonly segmentIds: readonly string[] | null;
}

export interface StubCampaignTruth {
  readonly family: MarketFamily;
  readonly campaignId: string;
  readonly name: string;
  /** The genres the campaign's product belongs to; its pixel and best interests lean to them. */
  readonly genres: readonly string[];
  readonly dailyBudgetMinor: number;
  /** Impression-weighted rates at the planned country split: what segments and demographics average to. */
  readonly base: { readonly ctr: number; readonly cvr: number; readonly revenuePerConversionMinor: number };
  readonly countries: readonly StubCountryTruth[];
  readonly segments: readonly StubSegmentTruth[];
  readonly demographics: readonly StubDemographicTruth[];
  readonly adsets: readonly StubAdsetTruth[];
  /** Saturday/Sunday multipliers. */
  readonly weekend: { readonly budget: number; readonly cpm: number; readonly ctr: number; readonly cvr: number };
  /** Relative change from the first to the last day of the window (0.1 = +10 %). */
  readonly trend: { readonly budget: number; readonly ctr: number; readonly cvr: number };
  readonly fatigueDays: number;
}

export interface StubTruth {
  readonly currency: string;
  readonly startDate: string;
  readonly endDate: string;
  readonly days: number;
  readonly campaigns: readonly StubCampaignTruth[];
}

// ---- Catalogue ----

const GENRES = [
  'action', 'comedy', 'drama', 'horror', 'music', 'sports', 'fashion', 'travel',
  'technology', 'food', 'gaming', 'fitness', 'beauty', 'parenting', 'finance',
] as const;

const INTEREST_NAMES: Record<(typeof GENRES)[number], readonly string[]> = {
  action: ['Action movies', 'Action fiction', 'Martial arts films', 'Superhero movies', 'Marvel Comics', 'DC Comics', 'James Bond', 'Fast & Furious', 'Spy films', 'Adventure films', 'War films'],
  comedy: ['Comedy movies', 'Stand-up comedy', 'Sitcoms', 'Comedy (TV)', 'Sketch comedy', 'Satire', 'Romantic comedy', 'Humor', 'Comedy clubs', 'Improvisational theatre', 'Internet memes'],
  drama: ['Drama movies', 'Drama (TV)', 'Period dramas', 'Telenovelas', 'Independent films', 'Film festivals', 'Theatre', 'Crime drama', 'Documentary films', 'Soap operas', 'Literary fiction'],
  horror: ['Horror movies', 'Horror fiction', 'Zombie films', 'Slasher films', 'Supernatural fiction', 'Stephen King', 'Halloween', 'Thriller films', 'Paranormal', 'True crime', 'Haunted attractions'],
  music: ['Music festivals', 'Rock music', 'Pop music', 'Reggaeton', 'Hip hop music', 'Electronic dance music', 'Latin music', 'Jazz', 'Classical music', 'Concerts', 'Spotify'],
  sports: ['Association football (Soccer)', 'Basketball', 'Tennis', 'Formula One', 'Cycling', 'Padel', 'Golf', 'Boxing', 'Mixed martial arts', 'UEFA Champions League', 'Surfing'],
  fashion: ['Fashion', 'Streetwear', 'Luxury goods', 'Sneakers', 'Haute couture', 'Fashion design', 'Handbags', 'Jewelry', 'Watches', 'Sustainable fashion', 'Vintage clothing'],
  travel: ['Travel', 'Adventure travel', 'Beaches', 'Backpacking', 'Budget travel', 'Luxury travel', 'Air travel', 'Hotels', 'Cruises', 'Ecotourism', 'Weekend getaways'],
  technology: ['Technology', 'Consumer electronics', 'Smartphones', 'Artificial intelligence', 'Gadgets', 'Computer programming', 'Software', 'Virtual reality', 'Electric vehicles', 'Drones', 'Cloud computing'],
  food: ['Street food', 'Cooking', 'Recipes', 'Vegetarian cuisine', 'Veganism', 'Gourmet food', 'Wine', 'Craft beer', 'Coffee', 'Baking', 'Restaurants'],
  gaming: ['Video games', 'PC games', 'Console games', 'PlayStation', 'Xbox', 'Nintendo Switch', 'Mobile games', 'Esports', 'Role-playing video games', 'Massively multiplayer online games', 'Twitch'],
  fitness: ['Physical fitness', 'Running', 'Yoga', 'Bodybuilding', 'CrossFit', 'Marathons', 'Pilates', 'Weight training', 'Gyms', 'Hiking', 'Nutrition'],
  beauty: ['Beauty', 'Cosmetics', 'Skin care', 'Hair care', 'Perfume', 'Makeup artist', 'Nail art', 'Beauty salons', 'Spas', 'Organic cosmetics', 'Tattoos'],
  parenting: ['Parenting', 'Motherhood', 'Fatherhood', 'Babies', 'Toddlers', 'Child care', 'Family', 'Homeschooling', 'Baby food', "Children's books", 'Pregnancy'],
  finance: ['Personal finance', 'Investment', 'Stock market', 'Cryptocurrency', 'Real estate', 'Entrepreneurship', 'Banking', 'Insurance', 'Savings account', 'Financial planning', 'Credit cards'],
};

const BEHAVIOR_NAMES: readonly string[] = [
  'Engaged shoppers', 'Frequent travelers', 'Frequent international travelers', 'Business travelers',
  'Currently traveling', 'Returned from travels 1 week ago', 'Returned from travels 2 weeks ago', 'Commuters',
  'Technology early adopters', 'Facebook Payments users (30 days)', 'Facebook Payments users (90 days)',
  'Small business owners', 'Facebook page admins', 'Console gamers', 'New smartphone and tablet users',
  'Facebook access (mobile): iOS devices', 'Facebook access (mobile): Android devices',
  'Facebook access (mobile): smartphones and tablets', 'Facebook access: older devices and OS',
  'Network connection: Wi-Fi', 'Network connection: 4G', 'Network connection: 5G', 'Expats (all)',
  'Away from family', 'Away from hometown', 'Recently moved', 'New job', 'Newly engaged (6 months)',
  'Newlywed (1 year)', 'Upcoming birthday', 'Anniversary (within 30 days)', 'Friends of people with birthdays (within 7 days)',
  'Photo uploaders', 'Video creators', 'Online spenders', 'Lived in Spain (formerly Expats - Spain)',
];

const INTEREST_VARIANT_SUFFIXES = ['fans', 'enthusiasts', 'community', 'followers', 'hobbyists', 'lovers', 'news', 'content', 'shoppers', 'events'];
const BEHAVIOR_VARIANT_SUFFIXES = ['mobile', 'desktop', 'high activity', 'recent', 'lapsed', 'weekend', 'evening', 'new', 'returning', 'premium'];

// Meta's interest and behavior ids are 13-digit numbers ("6003107902433"). Ours are synthetic:
// prefix × 1e9 + a 9-digit hash of the name (probed to be unique), and the k-th suffixed variant
// adds k × 1e10, which keeps 13 digits up to k = 99 and never meets another prefix (6003 vs 6002 mod 10).
const ID_VARIANT_STEP = 1e10;
const MAX_VARIANTS = 100;

function catalogueIds(prefix: number, names: readonly string[]): number[] {
  const used = new Set<number>();
  return names.map((name) => {
    let offset = deriveSeed('stub-catalogue', prefix, name) % 1e9;
    while (used.has(offset)) offset = (offset + 1) % 1e9;
    used.add(offset);
    return prefix * 1e9 + offset;
  });
}

const INTEREST_ROWS = GENRES.flatMap((genre) => INTEREST_NAMES[genre].map((name) => ({ name, genre: genre as string })));
const INTEREST_ID_NUMBERS = catalogueIds(6003, INTEREST_ROWS.map((r) => r.name));
const BEHAVIOR_ID_NUMBERS = catalogueIds(6002, BEHAVIOR_NAMES);

export const STUB_INTERESTS: readonly { id: string; name: string; genre: string }[] = Object.freeze(
  INTEREST_ROWS.map((r, i) => Object.freeze({ id: String(INTEREST_ID_NUMBERS[i]!), name: r.name, genre: r.genre })),
);

export const STUB_BEHAVIORS: readonly { id: string; name: string }[] = Object.freeze(
  BEHAVIOR_NAMES.map((name, i) => Object.freeze({ id: String(BEHAVIOR_ID_NUMBERS[i]!), name })),
);

const CUSTOM_AUDIENCE_NAMES = ['Purchasers (180 days)', 'Website visitors (30 days)', 'Added to cart, no purchase (14 days)', 'Instagram engagers (365 days)', 'Customer list (CRM)'];
const LOOKALIKE_RATIOS = [1, 3, 5];

// Direction of the genres' audience: used to lean the campaign's gender split (+ = more women).
const GENRE_FEMALE_LEAN: Partial<Record<string, number>> = { beauty: 0.12, fashion: 0.08, parenting: 0.1, fitness: 0.02, gaming: -0.12, sports: -0.1, technology: -0.06, finance: -0.05 };

// ---- Countries: centres of the draws, at a typical operating spend (EUR, 2026 Meta levels) ----
// CPC = CPM / (1000·CTR): ES 0.43, DE 0.73, MX 0.14, CO 0.11 EUR; ROAS = CVR·AOV / CPC ≈ 2–3.3.
// Each campaign draws its own values around these (CPM, CTR, AOV ±20 %, CVR ±25 % log-sd), so the
// best country by ROAS changes from seed to seed while Spain/EU stay dearer than LATAM.
const COUNTRY_CENTRES = [
  { code: 'ES', region: 'ES', cpm: 6.0, ctr: 0.014, cvr: 0.025, aov: 55 },
  { code: 'MX', region: 'LATAM', cpm: 2.6, ctr: 0.018, cvr: 0.015, aov: 32 },
  { code: 'AR', region: 'LATAM', cpm: 2.0, ctr: 0.019, cvr: 0.011, aov: 24 },
  { code: 'CO', region: 'LATAM', cpm: 2.2, ctr: 0.020, cvr: 0.013, aov: 26 },
  { code: 'CL', region: 'LATAM', cpm: 2.8, ctr: 0.017, cvr: 0.016, aov: 36 },
  { code: 'PE', region: 'LATAM', cpm: 2.2, ctr: 0.019, cvr: 0.012, aov: 25 },
  { code: 'FR', region: 'EU', cpm: 7.0, ctr: 0.012, cvr: 0.024, aov: 65 },
  { code: 'DE', region: 'EU', cpm: 8.0, ctr: 0.011, cvr: 0.026, aov: 72 },
  { code: 'IT', region: 'EU', cpm: 5.5, ctr: 0.013, cvr: 0.021, aov: 55 },
  { code: 'PT', region: 'EU', cpm: 4.2, ctr: 0.015, cvr: 0.022, aov: 45 },
] as const;

// Rough 2026 euro rates, only to put a non-EUR account's money on a realistic scale; unknown
// currencies are priced as if they were euros.
const UNITS_PER_EUR: Partial<Record<string, number>> = { EUR: 1, USD: 1.1, GBP: 0.86, CHF: 0.94, JPY: 165, MXN: 21, BRL: 6.2, CLP: 1050, COP: 4600, PEN: 4.1, SEK: 11.3, PLN: 4.3 };

const FATIGUE_MAX_DAYS = 10;

// ---- Small helpers ----

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
/** A multiplicative noise factor with median 1. */
const logNoise = (rng: Rng, sd: number): number => Math.exp(sd * rng.normal());

/** How a campaign draws a country's CTR, CVR and order value around the country's centre: log-sds and clamps. */
export const COUNTRY_RATE_DRAW = { ctrLogSd: 0.2, ctrRange: [0.006, 0.025], cvrLogSd: 0.25, cvrRange: [0.006, 0.05], aovLogSd: 0.2 } as const;

/** The centre of a country's draws (order value in EUR), or undefined for a country the market has not. */
export function countryRateCentre(code: string): { ctr: number; cvr: number; aovEur: number } | undefined {
  const centre = COUNTRY_CENTRES.find((c) => c.code === code);
  return centre && { ctr: centre.ctr, cvr: centre.cvr, aovEur: centre.aov };
}

/** Minor units of `currency` per euro, as the market prices a non-EUR account. */
export function minorUnitsPerEur(currency: string): number {
  return (UNITS_PER_EUR[currency] ?? 1) * 10 ** minorDigits(currency);
}

function digitsOf(rng: Rng, prefix: string, total: number, used: Set<string>): string {
  for (;;) {
    let id = prefix;
    while (id.length < total) id += String(rng.int(0, 999_999_999)).padStart(9, '0');
    id = id.slice(0, total);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

function isoDays(endDate: string, days: number): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(endDate);
  const endMs = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(endMs) || new Date(endMs).toISOString().slice(0, 10) !== endDate) {
    throw new RangeError(`endDate must be a real date YYYY-MM-DD, got ${JSON.stringify(endDate)}`);
  }
  const out: string[] = [];
  for (let d = days - 1; d >= 0; d--) out.push(new Date(endMs - d * 86_400_000).toISOString().slice(0, 10));
  return out;
}

function isWeekend(date: string): boolean {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow === 0 || dow === 6;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Divides the multipliers by their weighted mean, so the weighted mean becomes exactly 1. */
function normaliseTo1(multipliers: number[], weights: readonly number[]): void {
  let num = 0;
  let den = 0;
  for (let i = 0; i < multipliers.length; i++) {
    num += weights[i]! * multipliers[i]!;
    den += weights[i]!;
  }
  const mean = den > 0 ? num / den : 1;
  for (let i = 0; i < multipliers.length; i++) multipliers[i] = multipliers[i]! / mean;
}

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

// ---- The truth of one campaign ----

interface Settings {
  family: MarketFamily;
  seed: number | string;
  days: number;
  minorPerEur: number;
  interests: number;
  behaviors: number;
  adsets: number;
}

function planCampaign(s: Settings, campaignId: string, index: number, usedIds: Set<string>): StubCampaignTruth {
  const rng = createRng(deriveSeed(s.seed, 'campaign', campaignId));
  const genres = rng.shuffle([...GENRES] as string[]).slice(0, rng.int(2, 3));
  const name = `Conversions | ${genres.map(titleCase).join(' + ')} | ES-LATAM-EU #${index + 1}`;
  const toMinor = (eur: number): number => Math.max(1, Math.round(eur * s.minorPerEur));

  // Budget: median 600 EUR/day, log-sd 0.6 (a small shop to a mid-size advertiser); a fifth of it
  // for the family budget 'small', the rest of the market scaled with it.
  const dailyBudgetEur = clamp(600 * logNoise(rng, 0.6), 100, 5000) * (axisOf(s.family, 'budget') === 'small' ? 0.2 : 1);
  const dailyBudgetMinor = toMinor(dailyBudgetEur);

  // Spain carries 35–50 % of the planned split (the product's home market), the rest by gamma(3) weights.
  const esShare = 0.35 + 0.15 * rng.next();
  const otherWeights = COUNTRY_CENTRES.slice(1).map(() => rng.gamma(3));
  const otherSum = otherWeights.reduce((a, w) => a + w, 0);
  const shares = [esShare, ...otherWeights.map((w) => ((1 - esShare) * w) / otherSum)];
  // Three countries: Spain keeps its share and the two others split the rest by their weights.
  // Every country is still drawn, so that the rest of the seed's stream is the same.
  const kept = keptCountries(axisOf(s.family, 'countryCount'), createRng(deriveSeed(s.seed, 'country-count', campaignId)));
  const keptOtherSum = otherWeights.reduce((a, w, i) => a + (kept.has(i + 1) ? w : 0), 0);
  const shareOf = (i: number): number => (kept.size === COUNTRY_CENTRES.length || i === 0 ? shares[i]! : ((1 - esShare) * otherWeights[i - 1]!) / keptOtherSum);

  let countries: StubCountryTruth[] = COUNTRY_CENTRES.map((centre, i) => {
    // The clamps sit inside the realistic 2026 ranges (CTR 0.5–3 %, CVR 0.5–6 %, CPC 0.10–1.50 EUR,
    // ROAS 0.5–6) with room for the ad set multipliers and daily noise.
    const ctr = clamp(centre.ctr * logNoise(rng, COUNTRY_RATE_DRAW.ctrLogSd), ...COUNTRY_RATE_DRAW.ctrRange);
    const cvr = clamp(centre.cvr * logNoise(rng, COUNTRY_RATE_DRAW.cvrLogSd), ...COUNTRY_RATE_DRAW.cvrRange);
    // Typical CPC kept in 0.14–1.25 EUR by moving CPM, typical ROAS in 0.7–4.8 by moving AOV.
    const cpmTypical = clamp(centre.cpm * logNoise(rng, 0.2), 140 * ctr, 1250 * ctr);
    const cpc = cpmTypical / (1000 * ctr);
    const aov = clamp(centre.aov * logNoise(rng, COUNTRY_RATE_DRAW.aovLogSd), (0.7 * cpc) / cvr, (4.8 * cpc) / cvr);
    // The typical spend sits at u times the saturation spend (typicalOverSaturation).
    const u = typicalOverSaturation(rng.next(), axisOf(s.family, 'funding'));
    const typicalSpendEur = dailyBudgetEur * shareOf(i);
    // Another curve shape bends as much at the typical spend (the same elasticity there), so only
    // the bend away from it differs (response-shape.ts).
    const curve = axisOf(s.family, 'curve');
    const shaped = curve === 'exponential' ? {} : { curve };
    if (s.family.saturation === 'impressions') {
      const xs = matchingX(curve, u);
      const marginalCpmMinor = toMinor((cpmTypical * gain(curve, xs)) / xs);
      const saturationSpendMinor = toMinor(typicalSpendEur / xs);
      return {
        countryCode: centre.code,
        region: centre.region,
        budgetShare: shareOf(i),
        marginalCpmMinor,
        impressionsSaturate: true,
        saturationSpendMinor,
        capacityImpressions: Math.round((saturationSpendMinor * 1000) / marginalCpmMinor),
        valueSaturationImpressions: null,
        ctr,
        cvr,
        revenuePerConversionMinor: toMinor(aov),
        ...shaped,
      };
    }
    // The same curvature at the typical spend, moved (all or half of it) from CPM into the
    // conversion rate: CVR is the typical one there, higher for the first people reached.
    const both = s.family.saturation === 'both';
    const x = matchingX(curve, both ? u / 2 : u);
    const marginalCpmMinor = toMinor(both ? (cpmTypical * gain(curve, x)) / x : cpmTypical);
    const saturationSpendMinor = toMinor(typicalSpendEur / x);
    const capacityImpressions = Math.round((saturationSpendMinor * 1000) / marginalCpmMinor);
    const response = { marginalCpmMinor, impressionsSaturate: both, saturationSpendMinor, capacityImpressions, ...shaped };
    const typicalImpressions = trueImpressions(response, toMinor(typicalSpendEur));
    const valueSaturationImpressions = typicalImpressions / x;
    return {
      countryCode: centre.code,
      region: centre.region,
      budgetShare: shareOf(i),
      ...response,
      valueSaturationImpressions,
      ctr,
      cvr: cvr / conversionFactor({ valueSaturationImpressions, ...shaped }, typicalImpressions),
      revenuePerConversionMinor: toMinor(aov),
    };
  });
  countries = countries.filter((_, i) => kept.has(i));
  if (axisOf(s.family, 'drift') === 'countries') {
    // Its own stream, so that everything else the seed draws stays as in the family without drift.
    const driftRng = createRng(deriveSeed(s.seed, 'country-drift', campaignId));
    countries = countries.map((k) => ({ ...k, driftPerDay: clamp(driftRng.normal(0, DRIFT_PER_DAY_SD), -2 * DRIFT_PER_DAY_SD, 2 * DRIFT_PER_DAY_SD) }));
  }

  // What the average impression of the campaign does at the planned split.
  let impressions = 0;
  let clicks = 0;
  let conversions = 0;
  let revenue = 0;
  for (const c of countries) {
    const i = trueImpressions(c, dailyBudgetMinor * c.budgetShare);
    const q = conversionFactor(c, i);
    impressions += i;
    clicks += i * c.ctr;
    conversions += i * c.ctr * c.cvr * q;
    revenue += i * c.ctr * c.cvr * q * c.revenuePerConversionMinor;
  }
  const base = { ctr: clicks / impressions, cvr: conversions / clicks, revenuePerConversionMinor: Math.round(revenue / conversions) };

  const adsetWeights = Array.from({ length: s.adsets }, () => rng.gamma(5));
  const adsetWeightSum = adsetWeights.reduce((a, w) => a + w, 0);
  let adsets: StubAdsetTruth[] = adsetWeights.map((w) => ({
    adsetId: digitsOf(rng, '1202', 18, usedIds),
    budgetShare: w / adsetWeightSum,
    ctrMultiplier: clamp(logNoise(rng, 0.12), 0.8, 1.25),
    cvrMultiplier: clamp(logNoise(rng, 0.1), 0.8, 1.25),
    aovMultiplier: 1,
    segmentIds: null,
  }));

  const segments = planSegments(s, rng, genres, base, impressions, usedIds);
  const demographics = planDemographics(rng, genres, base);
  // Other ad set structures draw from their own stream after everything else, so a family shares
  // its countries, segments and demographics with the default one of the same seed.
  if (s.family.segmentRows !== 'union' && segments.length > 0) {
    adsets = planFamilyAdsets(s.family, createRng(deriveSeed(s.seed, 'family-adsets', campaignId)), segments, base, usedIds);
  }

  return {
    family: s.family,
    campaignId,
    name,
    genres,
    dailyBudgetMinor,
    base,
    countries,
    segments,
    demographics,
    adsets,
    weekend: {
      budget: 1 + clamp(rng.normal(0, 0.06), -0.15, 0.15),
      cpm: 1 + clamp(rng.normal(-0.06, 0.03), -0.15, 0.05),
      ctr: 1 + clamp(rng.normal(0.04, 0.04), -0.08, 0.15),
      cvr: 1 + clamp(rng.normal(-0.05, 0.05), -0.18, 0.1),
    },
    trend: {
      budget: clamp(rng.normal(0.1, 0.1), -0.3, 0.4),
      ctr: clamp(rng.normal(0, 0.06), -0.15, 0.15),
      cvr: clamp(rng.normal(0, 0.06), -0.15, 0.15),
    },
    fatigueDays: Math.min(FATIGUE_MAX_DAYS, Math.floor(s.days / 2)),
  };
}

/**
 * The ad sets of the 'adset-per-segment' and 'shared' families. Budgets follow the advertiser's
 * policy, drawn independently of size and value (log-sd 1 and 0.8: some segments funded heavily,
 * others barely). Each ad set's rates are its audience's: one segment's, or its segments' blend
 * (weighted by size, as Meta delivers to where the people are), relative to the campaign's base.
 */
function planFamilyAdsets(family: MarketFamily, rng: Rng, segments: readonly StubSegmentTruth[], base: StubCampaignTruth['base'], usedIds: Set<string>): StubAdsetTruth[] {
  let groups: StubSegmentTruth[][];
  let budgetSd: number;
  if (family.segmentRows === 'adset-per-segment') {
    groups = segments.map((g) => [g]);
    budgetSd = 1;
  } else {
    // 4–12 ad sets of several segments; a third of the segments sit in a second ad set too.
    const count = clamp(Math.round(segments.length / 12), Math.min(4, segments.length), 12);
    groups = Array.from({ length: count }, () => []);
    rng.shuffle(segments.map((_, i) => i)).forEach((i, n) => {
      const first = n < count ? n : rng.int(0, count - 1);
      groups[first]!.push(segments[i]!);
      if (count > 1 && rng.next() < 1 / 3) {
        const second = (first + rng.int(1, count - 1)) % count;
        groups[second]!.push(segments[i]!);
      }
    });
    budgetSd = 0.8;
  }
  const weights = groups.map(() => logNoise(rng, budgetSd));
  const weightSum = weights.reduce((a, w) => a + w, 0);
  return groups.map((members, j) => {
    let size = 0;
    let clicks = 0;
    let conversions = 0;
    let revenue = 0;
    for (const g of members) {
      size += g.sizeImpressions;
      clicks += g.sizeImpressions * g.ctr;
      conversions += g.sizeImpressions * g.ctr * g.cvr;
      revenue += g.sizeImpressions * g.ctr * g.cvr * g.revenuePerConversionMinor;
    }
    return {
      adsetId: digitsOf(rng, '1202', 18, usedIds),
      budgetShare: weights[j]! / weightSum,
      ctrMultiplier: clicks / size / base.ctr,
      cvrMultiplier: conversions / clicks / base.cvr,
      aovMultiplier: revenue / conversions / base.revenuePerConversionMinor,
      segmentIds: members.map((g) => g.segmentId),
    };
  });
}

interface SegmentDraft {
  segmentType: SegmentType;
  segmentId: string;
  segmentName: string;
  genre: string | null;
}

function chooseSegments(s: Settings, rng: Rng, genres: readonly string[], usedIds: Set<string>): SegmentDraft[] {
  const out: SegmentDraft[] = [];
  // Interests: a weighted sample without replacement (Efraimidis–Spirakis keys u^(1/w)); the
  // campaign's own genres weigh 3, so they are over-represented but never the whole list.
  const keys = STUB_INTERESTS.map((it) => Math.pow(rng.next(), genres.includes(it.genre) ? 1 / 3 : 1));
  const interestOrder = keys.map((_, i) => i).sort((a, b) => keys[b]! - keys[a]! || a - b);
  for (let i = 0; i < s.interests; i++) {
    const k = Math.floor(i / interestOrder.length);
    const j = interestOrder[i % interestOrder.length]!;
    const entry = STUB_INTERESTS[j]!;
    out.push({
      segmentType: 'interest',
      segmentId: String(INTEREST_ID_NUMBERS[j]! + k * ID_VARIANT_STEP),
      segmentName: variantName(entry.name, k, INTEREST_VARIANT_SUFFIXES),
      genre: entry.genre,
    });
  }
  const behaviorOrder = rng.shuffle(STUB_BEHAVIORS.map((_, i) => i));
  for (let i = 0; i < s.behaviors; i++) {
    const k = Math.floor(i / behaviorOrder.length);
    const j = behaviorOrder[i % behaviorOrder.length]!;
    out.push({
      segmentType: 'behavior',
      segmentId: String(BEHAVIOR_ID_NUMBERS[j]! + k * ID_VARIANT_STEP),
      segmentName: variantName(STUB_BEHAVIORS[j]!.name, k, BEHAVIOR_VARIANT_SUFFIXES),
      genre: null,
    });
  }
  // Custom audiences carry Meta's 17-digit "2385…" ids; lookalikes are built on the first of them.
  const customNames = [CUSTOM_AUDIENCE_NAMES[0]!, ...rng.shuffle(CUSTOM_AUDIENCE_NAMES.slice(1)).slice(0, rng.int(1, 2))];
  for (const name of customNames) out.push({ segmentType: 'custom_audience', segmentId: digitsOf(rng, '2385', 17, usedIds), segmentName: name, genre: null });
  const ratios = rng.shuffle([...LOOKALIKE_RATIOS]).slice(0, rng.int(1, 2)).sort((a, b) => a - b);
  for (const ratio of ratios) {
    out.push({ segmentType: 'lookalike', segmentId: digitsOf(rng, '2385', 17, usedIds), segmentName: `Lookalike (ES, ${ratio}%) - ${customNames[0]}`, genre: null });
  }
  return out;
}

function variantName(name: string, k: number, suffixes: readonly string[]): string {
  if (k === 0) return name;
  const round = Math.floor((k - 1) / suffixes.length);
  return `${name} (${suffixes[(k - 1) % suffixes.length]}${round > 0 ? ` ${round + 1}` : ''})`;
}

// Type effects on the draws: custom audiences are small, convert 3x and cost more to reach;
// lookalikes are broad and convert 1.6x.
const TYPE_EFFECTS: Record<SegmentType, { logSize: number; ctr: number; cvr: number; aov: number; cpm: number; frequency: number }> = {
  interest: { logSize: 0, ctr: 1, cvr: 1, aov: 1, cpm: 1, frequency: 0 },
  behavior: { logSize: 0, ctr: 1, cvr: 1, aov: 1, cpm: 1, frequency: 0 },
  demographic: { logSize: 0, ctr: 1, cvr: 1, aov: 1, cpm: 1, frequency: 0 },
  custom_audience: { logSize: -1, ctr: 1.35, cvr: 3, aov: 1.2, cpm: 1.4, frequency: 0.4 },
  lookalike: { logSize: 0.3, ctr: 1.15, cvr: 1.6, aov: 1.05, cpm: 1.1, frequency: 0.1 },
};

const SIZE_VALUE_CORRELATION = 0.7;

/**
 * Redraws the sizes (in place) so that their log correlates with the segments' log value by
 * `rho`, keeping the original's span and total: log size = rho·z(value) + √(1 − rho²)·z(size).
 * No random draws, so the rest of the market stays as in the default family.
 */
function relateSizesToValue(sizes: number[], logSizes: readonly number[], logSpan: number, logValues: readonly number[], rho: number, typicalImpressions: number): void {
  const z = (xs: readonly number[]) => {
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
    return xs.map((x) => (sd > 0 ? (x - mean) / sd : 0));
  };
  const zValue = z(logValues);
  const zSize = z(logSizes);
  const mixed = zValue.map((v, i) => rho * v + Math.sqrt(1 - rho * rho) * zSize[i]!);
  const lo = Math.min(...mixed);
  const hi = Math.max(...mixed);
  const raw = mixed.map((m) => (hi > lo ? Math.exp(((m - lo) / (hi - lo)) * logSpan) : 1));
  const rawSum = raw.reduce((a, x) => a + x, 0);
  raw.forEach((x, i) => (sizes[i] = Math.max(1, Math.round((x * 2 * typicalImpressions) / rawSum))));
}

function planSegments(
  s: Settings,
  rng: Rng,
  genres: readonly string[],
  base: StubCampaignTruth['base'],
  typicalImpressions: number,
  usedIds: Set<string>,
): StubSegmentTruth[] {
  const drafts = chooseSegments(s, rng, genres, usedIds);
  // Sizes: lognormal, then stretched so the largest is 100–400x the smallest, and scaled so the
  // segments together could absorb twice the campaign's typical daily impressions.
  const logSizes = drafts.map((d) => rng.normal() + TYPE_EFFECTS[d.segmentType].logSize);
  const lo = logSizes.reduce((a, z) => Math.min(a, z), Infinity);
  const hi = logSizes.reduce((a, z) => Math.max(a, z), -Infinity);
  const logSpan = Math.log(100) + (Math.log(400) - Math.log(100)) * rng.next();
  const raw = logSizes.map((z) => (hi > lo ? Math.exp(((z - lo) / (hi - lo)) * logSpan) : 1));
  const rawSum = raw.reduce((a, x) => a + x, 0);
  const sizes = raw.map((x) => Math.max(1, Math.round((x * 2 * typicalImpressions) / rawSum)));

  const matches = drafts.map((d) => d.genre !== null && genres.includes(d.genre));
  const ctrM = drafts.map((d, i) => logNoise(rng, 0.4) * TYPE_EFFECTS[d.segmentType].ctr * (matches[i] ? 1.15 : 1));
  const cvrM = drafts.map((d, i) => logNoise(rng, 0.5) * TYPE_EFFECTS[d.segmentType].cvr * (matches[i] ? 1.3 : 1));
  const aovM = drafts.map((d) => logNoise(rng, 0.25) * TYPE_EFFECTS[d.segmentType].aov);
  const cpmM = drafts.map((d) => logNoise(rng, 0.25) * TYPE_EFFECTS[d.segmentType].cpm);
  if (s.family.sizes !== 'independent' && drafts.length > 1) {
    relateSizesToValue(sizes, logSizes, logSpan, drafts.map((_, i) => Math.log(ctrM[i]! * cvrM[i]! * aovM[i]!)), s.family.sizes === 'larger-better' ? SIZE_VALUE_CORRELATION : -SIZE_VALUE_CORRELATION, typicalImpressions);
  }
  // Normalise so that the segments, weighted by delivery, average to the campaign's base rates:
  // then segment rows and country rows of the same ad set-day agree in expectation.
  normaliseTo1(ctrM, sizes);
  normaliseTo1(cpmM, sizes);
  const clickWeights = sizes.map((x, i) => x * ctrM[i]!);
  normaliseTo1(cvrM, clickWeights);
  normaliseTo1(aovM, clickWeights.map((w, i) => w * cvrM[i]!));

  // About 5 % of interests and behaviors are fatigued.
  const candidates = drafts.flatMap((d, i) => (d.segmentType === 'interest' || d.segmentType === 'behavior' ? [i] : []));
  const fatiguedCount = candidates.length >= 10 ? Math.max(1, Math.round(0.05 * candidates.length)) : 0;
  const fatigued = new Set(rng.shuffle(candidates).slice(0, fatiguedCount));

  return drafts.map((d, i) => ({
    ...d,
    sizeImpressions: sizes[i]!,
    ctr: clamp(base.ctr * ctrM[i]!, 0.002, 0.08),
    cvr: clamp(base.cvr * cvrM[i]!, 0.002, 0.3),
    revenuePerConversionMinor: Math.max(1, Math.round(base.revenuePerConversionMinor * aovM[i]!)),
    cpmMultiplier: cpmM[i]!,
    baseFrequency: 1.04 + rng.gamma(2, 0.08) + TYPE_EFFECTS[d.segmentType].frequency,
    fatigued: fatigued.has(i),
    fatigueDepth: fatigued.has(i) ? 0.45 + 0.25 * rng.next() : 0,
  }));
}

// Age effects: younger people click more and buy less and cheaper (18-24: CTR x1.25, CVR x0.7).
const AGE_SHARE = [0.16, 0.29, 0.24, 0.16, 0.1, 0.05];
const AGE_CTR = [1.25, 1.1, 1.0, 0.92, 0.85, 0.8];
const AGE_CVR = [0.7, 1.0, 1.15, 1.15, 1.05, 0.9];
const AGE_AOV = [0.75, 0.95, 1.05, 1.15, 1.2, 1.15];
const AGE_CPM = [0.85, 1.0, 1.08, 1.05, 0.98, 0.9];

function planDemographics(rng: Rng, genres: readonly string[], base: StubCampaignTruth['base']): StubDemographicTruth[] {
  const ageShares = AGE_SHARE.map((x) => x * logNoise(rng, 0.25));
  const ageSum = ageShares.reduce((a, x) => a + x, 0);
  const lean = genres.reduce((a, g) => a + (GENRE_FEMALE_LEAN[g] ?? 0), 0);
  const unknown = 0.02 + 0.02 * rng.next();
  const female = clamp(0.5 + lean + rng.normal(0, 0.05), 0.2, 0.8) * (1 - unknown);
  const genderShare: Record<Gender, number> = { female, male: 1 - unknown - female, unknown };
  // Unknown gender (accounts without it) engages less: CTR x0.85, CVR x0.75.
  const genderCtr: Record<Gender, number> = { female: logNoise(rng, 0.12), male: logNoise(rng, 0.12), unknown: 0.85 };
  const genderCvr: Record<Gender, number> = { female: logNoise(rng, 0.12), male: logNoise(rng, 0.12), unknown: 0.75 };
  const genderAov: Record<Gender, number> = { female: logNoise(rng, 0.08), male: logNoise(rng, 0.08), unknown: 0.9 };
  const genderCpm: Record<Gender, number> = { female: 1.05, male: 1, unknown: 0.9 };

  const cells: { age: AgeBucket; gender: Gender; share: number; ctr: number; cvr: number; aov: number; cpm: number }[] = [];
  AGE_BUCKETS.forEach((age, a) => {
    const ctr = AGE_CTR[a]! * logNoise(rng, 0.1);
    const cvr = AGE_CVR[a]! * logNoise(rng, 0.1);
    const aov = AGE_AOV[a]! * logNoise(rng, 0.08);
    for (const gender of GENDERS) {
      cells.push({
        age,
        gender,
        share: (ageShares[a]! / ageSum) * genderShare[gender],
        ctr: ctr * genderCtr[gender],
        cvr: cvr * genderCvr[gender],
        aov: aov * genderAov[gender],
        cpm: AGE_CPM[a]! * genderCpm[gender],
      });
    }
  });
  const shares = cells.map((c) => c.share);
  const ctrM = cells.map((c) => c.ctr);
  const cvrM = cells.map((c) => c.cvr);
  const aovM = cells.map((c) => c.aov);
  const cpmM = cells.map((c) => c.cpm);
  normaliseTo1(ctrM, shares);
  normaliseTo1(cpmM, shares);
  const clickWeights = shares.map((x, i) => x * ctrM[i]!);
  normaliseTo1(cvrM, clickWeights);
  normaliseTo1(aovM, clickWeights.map((w, i) => w * cvrM[i]!));
  return cells.map((c, i) => ({
    age: c.age,
    gender: c.gender,
    impressionShare: c.share,
    ctr: base.ctr * ctrM[i]!,
    cvr: base.cvr * cvrM[i]!,
    revenuePerConversionMinor: Math.max(1, Math.round(base.revenuePerConversionMinor * aovM[i]!)),
    cpmMultiplier: cpmM[i]!,
  }));
}

// ---- Daily simulation ----

interface DayFactors {
  budget: number;
  cpm: number;
  ctr: number;
  cvr: number;
  /** Cost swings 'own': each country's factor on its cost per impression that day, in place of `cpm`. */
  countryCpm?: readonly number[];
}

/** Cost swings 'own': the log-sd of each country's own daily cost factor (about the shared swing's, weekends included). */
const OWN_COST_SWING_SD = 0.05;

function drawDay(c: StubCampaignTruth, rng: Rng, dayIndex: number, days: number, weekend: boolean): DayFactors {
  const t = days > 1 ? dayIndex / (days - 1) - 0.5 : 0.5;
  const budget = (1 + c.trend.budget * t) * (weekend ? c.weekend.budget : 1) * logNoise(rng, 0.08);
  const swing = daySwings(c, rng, weekend);
  return { budget, cpm: swing.cpm, ctr: (1 + c.trend.ctr * t) * swing.ctr, cvr: (1 + c.trend.cvr * t) * swing.cvr };
}

/** A day's swings of cost per impression, CTR and CVR common to every country: the weekend's, times the day's own draw. */
function daySwings(c: StubCampaignTruth, rng: Rng, weekend: boolean): { cpm: number; ctr: number; cvr: number } {
  return {
    cpm: (weekend ? c.weekend.cpm : 1) * logNoise(rng, 0.04),
    ctr: (weekend ? c.weekend.ctr : 1) * logNoise(rng, 0.05),
    cvr: (weekend ? c.weekend.cvr : 1) * logNoise(rng, 0.07),
  };
}

/** Cost swings 'own': each country's factor on its cost per impression, drawn on its own. */
function ownCostSwings(c: StubCampaignTruth, rng: Rng): number[] {
  return c.countries.map(() => logNoise(rng, OWN_COST_SWING_SD));
}

/** What a day after the history does to every country's delivery: its cost per impression (one factor per country, in the campaign's order) and its CTR and CVR. */
export interface MarketDay {
  cpm: readonly number[];
  ctr: number;
  cvr: number;
}

/**
 * The swings of a day after the history, as the history's days have them (weekends, and the day's
 * own draw: every country's cost together, or each its own under cost swings 'own'), without the
 * history's trends and budget swings: a loop spends what it decides. Its own stream per date, so
 * every strategy run on the market meets the same day.
 */
export function marketDay(c: StubCampaignTruth, seed: number | string, date: string): MarketDay {
  const rng = createRng(deriveSeed(seed, 'market-day', c.campaignId, date));
  const { cpm, ctr, cvr } = daySwings(c, rng, isWeekend(date));
  return { cpm: axisOf(c.family, 'costSwings') === 'own' ? ownCostSwings(c, rng) : c.countries.map(() => cpm), ctr, cvr };
}

/** Reach from impressions and frequency: at least 1 person when there are impressions, never more than impressions. */
function reachOf(impressions: number, frequency: number): number {
  if (impressions === 0) return 0;
  return Math.min(impressions, Math.max(1, Math.floor(impressions / frequency)));
}



interface RowContext {
  date: string;
  campaignId: string;
  adsetId: string;
  currency: string;
}

function makeRow(
  ctx: RowContext,
  segmentType: InsightRow['segmentType'],
  segmentId: string,
  segmentName: string,
  country: string,
  age: AgeBucket | '',
  gender: Gender | '',
  impressions: number,
  reach: number,
  clicks: number,
  conversions: number,
  spendMinor: number,
  revenueMinor: number,
): InsightRow {
  return {
    date: ctx.date,
    campaignId: ctx.campaignId,
    adsetId: ctx.adsetId,
    segmentType,
    segmentId,
    segmentName,
    country,
    age,
    gender,
    impressions,
    reach,
    clicks,
    conversions,
    spendMinor,
    revenueMinor,
    currency: ctx.currency,
  };
}

function simulateAdsetDay(
  c: StubCampaignTruth,
  adset: StubAdsetTruth,
  rng: Rng,
  day: DayFactors,
  dayIndex: number,
  days: number,
  ctx: RowContext,
  segmentsById: ReadonlyMap<string, StubSegmentTruth>,
  /** Delivery per unit of size by segment where Meta's delivery optimisation tilts the union (family delivery 'optimized'); null = by size. */
  tilt: ReadonlyMap<string, number> | null,
): InsightRow[] {
  const rows: InsightRow[] = [];
  const spend = Math.max(1, Math.round(c.dailyBudgetMinor * adset.budgetShare * day.budget));
  const fatigueStart = days - c.fatigueDays;
  const progress = c.fatigueDays > 0 && dayIndex >= fatigueStart ? (dayIndex - fatigueStart + 1) / c.fatigueDays : 0;
  // An ad set of one segment shows that segment's fatigue in every row.
  const own = adset.segmentIds?.length === 1 ? segmentsById.get(adset.segmentIds[0]!) : undefined;
  const ownFatigue = own?.fatigued ? progress : 0;
  const ctrFactor = own ? adset.ctrMultiplier * day.ctr * (1 - own.fatigueDepth * ownFatigue) : adset.ctrMultiplier * day.ctr;
  let cvrFactor = adset.cvrMultiplier * day.cvr;
  const aov = adset.aovMultiplier;

  // (a) Countries. The daily split wanders around the plan (log-sd 0.3), so every country's
  // spend covers a range and its saturation curve can be read from the history.
  const countrySpend = splitExact(spend, c.countries.map((k) => k.budgetShare * logNoise(rng, 0.3)));
  let impressionsTotal = 0;
  let clicksTotal = 0;
  let conversionsTotal = 0;
  let revenueTotal = 0;
  // Conversions at the day's conversion-rate saturation against at the planned split's, which the
  // segments' and demographics' rates already include (the campaign's base): the ratio carries the
  // day's saturation into their rows.
  let saturatedConversions = 0;
  let plannedConversions = 0;
  // Countries drifting on their own (family drift 'countries') move the day's conversions as a whole:
  // the ratio of drifted to undrifted expected conversions carries that into the other rows.
  const daysAfterHistory = dayIndex - (days - 1);
  let driftedConversions = 0;
  let undriftedConversions = 0;
  c.countries.forEach((k, i) => {
    const s = countrySpend[i]!;
    let impressions: number;
    let x: number;
    if (k.impressionsSaturate) {
      const saturation = k.saturationSpendMinor * adset.budgetShare;
      x = s / saturation;
      impressions = Math.round(((k.capacityImpressions * adset.budgetShare * gain(k.curve, x)) / (day.countryCpm?.[i] ?? day.cpm)) * logNoise(rng, 0.03));
    } else {
      // Flat CPM: frequency still grows a little as the country's budget grows past its plan.
      x = s / (k.saturationSpendMinor * adset.budgetShare);
      impressions = Math.round(((s * 1000) / k.marginalCpmMinor / (day.countryCpm?.[i] ?? day.cpm)) * logNoise(rng, 0.03));
    }
    // The conversion rate falls with the impressions the campaign buys in the country (the ad set's, scaled up by its share).
    const q = conversionFactor(k, impressions / adset.budgetShare);
    const clicks = rng.binomial(impressions, clamp(k.ctr * ctrFactor, 0, 0.5));
    const drifted = k.driftPerDay === undefined ? 1 : Math.exp(k.driftPerDay * daysAfterHistory);
    if (k.driftPerDay !== undefined) {
      driftedConversions += impressions * k.ctr * k.cvr * q * drifted;
      undriftedConversions += impressions * k.ctr * k.cvr * q;
    }
    const conversions = rng.binomial(clicks, clamp(k.cvr * cvrFactor * q * drifted, 0, 0.9));
    // A saturated country shows the ads again to the same people: frequency grows with spend/saturation.
    const reach = reachOf(impressions, (1.05 + 0.25 * x) * (1 + 0.04 * (rng.next() - 0.5)));
    const revenue = orderSum(rng, conversions, k.revenuePerConversionMinor * aov, axisOf(c.family, 'orders'));
    impressionsTotal += impressions;
    clicksTotal += clicks;
    conversionsTotal += conversions;
    revenueTotal += revenue;
    if (k.valueSaturationImpressions !== null) {
      saturatedConversions += impressions * k.ctr * k.cvr * q;
      plannedConversions += impressions * k.ctr * k.cvr * conversionFactor(k, trueImpressions(k, c.dailyBudgetMinor * k.budgetShare));
    }
    rows.push(makeRow(ctx, '', '', '', k.countryCode, '', '', impressions, reach, clicks, conversions, s, revenue));
  });
  if (plannedConversions > 0) cvrFactor *= saturatedConversions / plannedConversions;
  if (undriftedConversions > 0) cvrFactor *= driftedConversions / undriftedConversions;

  // (b) Segments. An ad set of one segment: its whole delivery. An ad set of several: its
  // delivery credited to them in equal parts, as LIVE sync credits Meta's rows (the remainder of a
  // small count rotating, so no segment always gets the day's few purchases). The union: the same
  // impressions and spend, split by size (tilted toward value under optimized delivery) with daily
  // noise (log-sd 0.25), at each segment's own rates.
  if (adset.segmentIds !== null) {
    const members = adset.segmentIds.map((id) => segmentsById.get(id)!);
    const parts = (total: number, metric: string) => (members.length > 0 ? equalShares(total, members.length, `${ctx.adsetId}|${ctx.date}|${metric}`) : []);
    const [imp, spn, clk, cnv, rev] = [parts(impressionsTotal, 'impressions'), parts(spend, 'spend'), parts(clicksTotal, 'clicks'), parts(conversionsTotal, 'conversions'), parts(revenueTotal, 'revenue')];
    members.forEach((g, i) => {
      const frequency = own ? g.baseFrequency * (1 + 1.2 * ownFatigue) : 1.1;
      rows.push(makeRow(ctx, g.segmentType, g.segmentId, g.segmentName, '', '', '', imp[i]!, reachOf(imp[i]!, frequency), clk[i]!, cnv[i]!, spn[i]!, rev[i]!));
    });
  }
  const segs = adset.segmentIds === null ? c.segments : [];
  const segWeights = new Array<number>(segs.length);
  for (let i = 0; i < segs.length; i++) segWeights[i] = segs[i]!.sizeImpressions * (tilt?.get(segs[i]!.segmentId) ?? 1) * logNoise(rng, 0.25);
  const segImpressions = segs.length > 0 ? splitExact(impressionsTotal, segWeights) : [];
  const segSpend = segs.length > 0 ? splitExact(spend, spendWeights(segImpressions, segs, segWeights)) : [];
  for (let i = 0; i < segs.length; i++) {
    const g = segs[i]!;
    const impressions = segImpressions[i]!;
    const fatigue = g.fatigued ? progress : 0;
    const clicks = rng.binomial(impressions, clamp(g.ctr * ctrFactor * (1 - g.fatigueDepth * fatigue), 0, 0.5));
    const conversions = rng.binomial(clicks, clamp(g.cvr * cvrFactor, 0, 0.9));
    const reach = reachOf(impressions, g.baseFrequency * (1 + 1.2 * fatigue));
    rows.push(makeRow(ctx, g.segmentType, g.segmentId, g.segmentName, '', '', '', impressions, reach, clicks, conversions, segSpend[i]!, orderSum(rng, conversions, g.revenuePerConversionMinor, axisOf(c.family, 'orders'))));
  }

  // (c) Demographics: the same impressions and spend again, by age × gender.
  const demos = c.demographics;
  const demoWeights = demos.map((d) => d.impressionShare * logNoise(rng, 0.05));
  const demoImpressions = splitExact(impressionsTotal, demoWeights);
  const demoSpend = splitExact(spend, spendWeights(demoImpressions, demos, demoWeights));
  demos.forEach((d, i) => {
    const impressions = demoImpressions[i]!;
    const clicks = rng.binomial(impressions, clamp(d.ctr * ctrFactor, 0, 0.5));
    const conversions = rng.binomial(clicks, clamp(d.cvr * cvrFactor, 0, 0.9));
    const reach = reachOf(impressions, 1.1 + 0.03 * AGE_BUCKETS.indexOf(d.age));
    rows.push(makeRow(ctx, 'demographic', `${d.age}|${d.gender}`, `${d.age} ${d.gender}`, '', d.age, d.gender, impressions, reach, clicks, conversions, demoSpend[i]!, orderSum(rng, conversions, d.revenuePerConversionMinor * aov, axisOf(c.family, 'orders'))));
  });
  return rows;
}

/** Spend follows impressions × relative CPM; on a day without impressions, the delivery weights. */
function spendWeights(impressions: readonly number[], parts: readonly { cpmMultiplier: number }[], fallback: readonly number[]): number[] {
  const w = impressions.map((x, i) => x * parts[i]!.cpmMultiplier);
  return w.some((x) => x > 0) ? w : [...fallback];
}

/** Each segment's delivery per unit of size under optimized delivery: its value against its type's (delivery.ts). */
function deliveryTilts(c: StubCampaignTruth): Map<string, number> {
  const out = new Map<string, number>();
  for (const type of new Set(c.segments.map((g) => g.segmentType))) {
    const values = trueSegmentValues(c, type);
    const tilt = optimizedTilt(values);
    for (const id of values.keys()) out.set(id, tilt(id));
  }
  return out;
}

function* generateRows(truth: StubTruth, seed: number | string, dates: readonly string[]): Generator<InsightRow> {
  const streams = truth.campaigns.map((c) => ({
    c,
    dayRng: createRng(deriveSeed(seed, 'days', c.campaignId)),
    // Its own stream, so that everything else the seed draws stays as in the family with shared swings.
    costRng: axisOf(c.family, 'costSwings') === 'own' ? createRng(deriveSeed(seed, 'country-costs', c.campaignId)) : null,
    adsetRngs: c.adsets.map((a) => createRng(deriveSeed(seed, 'rows', c.campaignId, a.adsetId))),
  }));
  const weekends = dates.map(isWeekend);
  const segmentMaps = new Map(truth.campaigns.map((c) => [c.campaignId, new Map(c.segments.map((g) => [g.segmentId, g]))]));
  const tilts = new Map(truth.campaigns.map((c) => [c.campaignId, axisOf(c.family, 'delivery') === 'optimized' ? deliveryTilts(c) : null]));
  for (let d = 0; d < dates.length; d++) {
    for (const { c, dayRng, costRng, adsetRngs } of streams) {
      const segmentsById = segmentMaps.get(c.campaignId)!;
      const shared = drawDay(c, dayRng, d, dates.length, weekends[d]!);
      const day = costRng === null ? shared : { ...shared, countryCpm: ownCostSwings(c, costRng) };
      for (let a = 0; a < c.adsets.length; a++) {
        const adset = c.adsets[a]!;
        const ctx: RowContext = { date: dates[d]!, campaignId: c.campaignId, adsetId: adset.adsetId, currency: truth.currency };
        const rows = simulateAdsetDay(c, adset, adsetRngs[a]!, day, d, dates.length, ctx, segmentsById, tilts.get(c.campaignId)!);
        for (const row of rows) yield reportedRow(row, axisOf(c.family, 'reporting'), seed, dates.length - 1 - d);
      }
    }
  }
}

// ---- Pixel ----

const PIXEL_FUNNEL = ['PageView', 'ViewContent', 'AddToCart', 'Purchase'] as const;

function simulatePixel(seed: number | string, c: StubCampaignTruth, days: number): PixelEventCount[] {
  const rng = createRng(deriveSeed(seed, 'pixel', c.campaignId));
  let dailyClicks = 0;
  for (const k of c.countries) {
    dailyClicks += trueImpressions(k, c.dailyBudgetMinor * k.budgetShare) * k.ctr;
  }
  // The pixel sees the whole site, ads plus organic traffic: 1.3–2.2 page views per ad click.
  const pageViews = dailyClicks * days * (1.3 + 0.9 * rng.next());
  // The campaign's genres take about 80 % of the traffic (10·gamma(6) against gamma(2) for each of
  // the 12–13 others: 2 × 60 against 13 × 2) and convert 30 % better down the funnel.
  const weights = GENRES.map((g) => (c.genres.includes(g) ? 10 * rng.gamma(6) : rng.gamma(2)));
  const weightSum = weights.reduce((a, w) => a + w, 0);
  const out: PixelEventCount[] = [];
  GENRES.forEach((genre, i) => {
    const lift = c.genres.includes(genre) ? 1.3 : 1;
    const views = rng.poisson((pageViews * weights[i]!) / weightSum);
    const viewContent = rng.binomial(views, 0.45 + 0.25 * rng.next());
    const addToCart = rng.binomial(viewContent, clamp((0.06 + 0.08 * rng.next()) * lift, 0, 1));
    const purchase = rng.binomial(addToCart, clamp((0.25 + 0.2 * rng.next()) * lift, 0, 1));
    [views, viewContent, addToCart, purchase].forEach((count, e) => {
      if (count > 0) out.push({ eventName: PIXEL_FUNNEL[e]!, contentCategory: genre, count });
    });
  });
  return out;
}

// ---- Audience sizes ----

/**
 * People in a segment's audience per impression it absorbs a day at its own frequency: Meta counts
 * the people who match over about a month, of whom a day's delivery reaches a fraction. Only the
 * ratios between segments matter to a decision, so the scale is a round guess.
 */
export const AUDIENCE_PEOPLE_PER_DAILY_REACH = 20;
/** Log-sd of Meta's estimate around the true size: its own model of who matches, not a count. */
export const AUDIENCE_ESTIMATE_LOG_SD = 0.15;
/** The same where the family's estimates are rough (estimates 'rough'). */
export const ROUGH_AUDIENCE_ESTIMATE_LOG_SD = 0.7;
/** The share of segments with no estimate where the family's estimates are partial (estimates 'partial'). */
export const PARTIAL_ESTIMATES_MISSING_SHARE = 1 / 8;
/** Meta gives a range, not a figure: the estimate ±15 %, each bound rounded to two significant digits. */
export const AUDIENCE_RANGE_HALF_WIDTH = 0.15;

/** The true number of people in a segment's audience (what Meta's estimate is noisy around). */
export function trueAudiencePeople(g: Pick<StubSegmentTruth, 'sizeImpressions' | 'baseFrequency'>): number {
  return (g.sizeImpressions / g.baseFrequency) * AUDIENCE_PEOPLE_PER_DAILY_REACH;
}

const roundSignificant = (x: number, digits: number): number => {
  if (!(x > 0)) return 0;
  const step = 10 ** (Math.floor(Math.log10(x)) - (digits - 1));
  return step >= 1 ? Math.round(x / step) * step : Math.round(x);
};

/**
 * Meta-like audience size estimates of a campaign's interests and behaviors: the true size times
 * seeded lognormal noise (AUDIENCE_ESTIMATE_LOG_SD, or ROUGH_AUDIENCE_ESTIMATE_LOG_SD), given as a range ±AUDIENCE_RANGE_HALF_WIDTH,
 * each bound rounded to two significant digits, as the targeting search shows them. Drawn from its
 * own stream, so the rows stay as they are.
 */
function audienceSizeEstimates(seed: number | string, c: StubCampaignTruth): StubAudienceSize[] {
  const rng = createRng(deriveSeed(seed, 'audience-sizes', c.campaignId));
  // Which segments have none comes from a stream of its own, so the others' estimates are the close family's.
  const missing = axisOf(c.family, 'estimates') === 'partial' ? createRng(deriveSeed(seed, 'audience-sizes-missing', c.campaignId)) : null;
  const out: StubAudienceSize[] = [];
  for (const g of c.segments) {
    if (g.segmentType !== 'interest' && g.segmentType !== 'behavior') continue;
    const estimate = trueAudiencePeople(g) * logNoise(rng, axisOf(c.family, 'estimates') === 'rough' ? ROUGH_AUDIENCE_ESTIMATE_LOG_SD : AUDIENCE_ESTIMATE_LOG_SD);
    if (missing !== null && missing.next() < PARTIAL_ESTIMATES_MISSING_SHARE) continue;
    const lower = Math.max(1, roundSignificant(estimate * (1 - AUDIENCE_RANGE_HALF_WIDTH), 2));
    const upper = Math.max(lower, roundSignificant(estimate * (1 + AUDIENCE_RANGE_HALF_WIDTH), 2));
    out.push({ segmentType: g.segmentType, segmentId: g.segmentId, lower, upper });
  }
  return out;
}

// ---- The market ----

const truths = new WeakMap<StubMarket, StubTruth>();

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  return value;
}

export function createStubMarket(options: StubMarketOptions): StubMarket {
  const currency = options.currency ?? 'EUR';
  if (!isCurrencyCode(currency)) throw new RangeError(`currency must be an ISO 4217 code, got ${JSON.stringify(currency)}`);
  const campaignsCount = wholeNumber('campaigns', options.campaigns, 1, 10_000);
  const days = wholeNumber('days', options.days, 1, 3660);
  const settings: Settings = {
    family: options.family ?? DEFAULT_FAMILY,
    seed: options.seed,
    days,
    minorPerEur: minorUnitsPerEur(currency),
    interests: wholeNumber('interestsPerCampaign', options.interestsPerCampaign ?? 60, 0, STUB_INTERESTS.length * MAX_VARIANTS),
    behaviors: wholeNumber('behaviorsPerCampaign', options.behaviorsPerCampaign ?? 20, 0, STUB_BEHAVIORS.length * MAX_VARIANTS),
    adsets: wholeNumber('adsetsPerCampaign', options.adsetsPerCampaign ?? 2, 1, 100),
  };
  const dates = isoDays(options.endDate, days);

  const usedIds = new Set<string>();
  let campaignIds: string[];
  if (options.campaignIds !== undefined) {
    campaignIds = [...options.campaignIds];
    if (campaignIds.length !== campaignsCount) throw new RangeError(`campaignIds has ${campaignIds.length} ids but campaigns is ${campaignsCount}`);
    if (campaignIds.some((id) => typeof id !== 'string' || id === '')) throw new RangeError('campaignIds must be non-empty strings');
    if (new Set(campaignIds).size !== campaignIds.length) throw new RangeError('campaignIds must be unique');
    for (const id of campaignIds) usedIds.add(id);
  } else {
    const idRng = createRng(deriveSeed(options.seed, 'campaign-ids'));
    campaignIds = Array.from({ length: campaignsCount }, () => digitsOf(idRng, '1202', 18, usedIds));
  }

  const truth: StubTruth = deepFreeze({
    currency,
    startDate: dates[0]!,
    endDate: dates[dates.length - 1]!,
    days,
    campaigns: campaignIds.map((id, i) => planCampaign(settings, id, i, usedIds)),
  });
  const byId = new Map(truth.campaigns.map((c) => [c.campaignId, c]));
  const rowsPerDay = truth.campaigns.reduce((a, c) => a + c.adsets.reduce((n, s) => n + c.countries.length + (s.segmentIds === null ? c.segments.length : s.segmentIds.length) + c.demographics.length, 0), 0);

  const market: StubMarket = {
    campaigns: truth.campaigns.map((c) => ({ campaignId: c.campaignId, name: c.name, adsetIds: c.adsets.map((a) => a.adsetId) })),
    rows: () => ({ [Symbol.iterator]: () => generateRows(truth, options.historySeed ?? options.seed, dates) }),
    pixelEvents: (campaignId) => {
      const c = byId.get(campaignId);
      return c ? simulatePixel(options.seed, c, days) : [];
    },
    rowCount: () => rowsPerDay * days,
    audienceSizes: (campaignId) => {
      const c = byId.get(campaignId);
      return c ? audienceSizeEstimates(options.seed, c) : [];
    },
  };
  truths.set(market, truth);
  return market;
}

/** The hidden parameters the market's rows were drawn from, for backtests. */
export function getTruth(market: StubMarket): StubTruth {
  const truth = truths.get(market);
  if (!truth) throw new RangeError('getTruth needs a market made by createStubMarket');
  return truth;
}

/**
 * What the market multiplies every country's rates by at the end of the history, for an oracle
 * deciding the campaign as a whole at the campaign's base audience: the ad sets' creative,
 * budget-weighted (CTR, then CVR and order value such that their product is the mean of the ad
 * sets' products), and the campaign's trend at its last day (drawDay runs it from −half to +half
 * across the history). The multipliers of an ad set with its own segments are its audience's, not
 * creative, and count as 1. A common scale never moves the best split, only the revenue's level.
 */
export function valueScaleAtEnd(c: StubCampaignTruth): ValueScale {
  const creative = c.adsets.map((a) => (a.segmentIds === null ? a : { budgetShare: a.budgetShare, ctrMultiplier: 1, cvrMultiplier: 1, aovMultiplier: 1 }));
  const ctr = creative.reduce((s, a) => s + a.budgetShare * a.ctrMultiplier, 0);
  const ctrCvr = creative.reduce((s, a) => s + a.budgetShare * a.ctrMultiplier * a.cvrMultiplier, 0);
  const all = creative.reduce((s, a) => s + a.budgetShare * a.ctrMultiplier * a.cvrMultiplier * a.aovMultiplier, 0);
  return {
    ctr: ctr * (1 + c.trend.ctr / 2),
    cvr: (ctr > 0 ? ctrCvr / ctr : 0) * (1 + c.trend.cvr / 2),
    aov: ctrCvr > 0 ? all / ctrCvr : 1,
  };
}

/** True value per impression (minor units) of each segment of a type on the last day of the history, fatigue included. */
export function trueSegmentValues(c: StubCampaignTruth, type: SegmentType = 'interest'): Map<string, number> {
  return new Map(c.segments.filter((g) => g.segmentType === type).map((g) => [g.segmentId, g.ctr * (1 - g.fatigueDepth) * g.cvr * g.revenuePerConversionMinor]));
}
