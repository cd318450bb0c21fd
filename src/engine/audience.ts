// Audience builder: ranks interests and behaviors, maps pixel events to content genres, proposes
// custom audiences and lookalikes, and chooses the age range and gender. Every choice leaves a
// trace entry with the numbers that made it.

import { topK } from './top-k.ts';
import type {
  AgeBucket,
  ChosenSegment,
  CustomAudienceChoice,
  DemographicHistory,
  EngineSettings,
  LookalikeChoice,
  Metrics,
  PixelEventCount,
  Priors,
  SegmentScore,
} from './types.ts';
import type { RankedType, SegmentCutEvent, SegmentEvidence, SegmentExcludedEvent, SegmentRankedEvent } from './trace-events.ts';
import type { AgeEvent, AudienceOrderEvent, AudienceSourceEvent, DemographicGroupEvent, DemographicTargetingEvent, ExistingAudienceEvent, GenderEvent, GroupFigures, LookalikeProposedEvent, LookalikesLimitEvent, LookalikesNoneEvent } from './trace-events.ts';
import { AGE_BUCKETS } from './types.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import { asScoreTable, compositeScore, confidenceFromImpressions, scoreAt, smoothedRates, type ScoreTable } from './scoring.ts';

// ---------------------------------------------------------------- pixel → content genre

export const GENRES: readonly string[] = [
  'action', 'comedy', 'drama', 'horror', 'romance', 'documentary', 'music', 'sports', 'fashion', 'beauty', 'travel',
  'technology', 'food', 'gaming', 'fitness', 'parenting', 'finance', 'home', 'pets', 'automotive', 'education', 'books',
];

// Keywords per genre, in English (Meta's interest names) and Spanish (the sites of an ES + LATAM
// account often tag pixel content in Spanish). Accents are folded away before matching, so
// "acción" and "accion" both read as "accion". A trailing "s"/"es" plural is accepted for every
// keyword; irregular plurals are listed. Multi-word keywords accept a space, a hyphen or nothing
// between the words ("video game", "video-game", "videogame").
const GENRE_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  action: ['action', 'accion', 'martial arts', 'superhero', 'thriller', 'adventure', 'aventura'],
  comedy: ['comedy', 'comedies', 'comedia', 'stand up', 'sitcom', 'humor', 'humour'],
  drama: ['drama', 'soap opera', 'telenovela'],
  horror: ['horror', 'terror', 'slasher', 'zombie'],
  romance: ['romance', 'romantic', 'romantica', 'romantico', 'dating'],
  documentary: ['documentary', 'documentaries', 'documental', 'true crime'],
  music: ['music', 'musica', 'concert', 'concierto', 'jazz', 'hip hop', 'reggaeton', 'k pop', 'singer'],
  sports: ['sport', 'deporte', 'football', 'soccer', 'futbol', 'basketball', 'baloncesto', 'tennis', 'baseball', 'golf', 'nba', 'nfl'],
  fashion: ['fashion', 'moda', 'clothing', 'apparel', 'ropa', 'streetwear', 'shoe', 'sneaker', 'dress'],
  beauty: ['beauty', 'belleza', 'cosmetic', 'cosmetica', 'makeup', 'maquillaje', 'skincare', 'skin care', 'perfume', 'hair care'],
  travel: ['travel', 'viaje', 'tourism', 'turismo', 'hotel', 'vacation', 'vacaciones', 'flight', 'airline', 'backpacking'],
  technology: ['technology', 'tecnologia', 'tech', 'gadget', 'smartphone', 'computer', 'software', 'electronics', 'artificial intelligence'],
  food: ['food', 'comida', 'cooking', 'cocina', 'recipe', 'receta', 'restaurant', 'restaurante', 'cuisine', 'baking', 'gastronomy', 'gastronomia'],
  gaming: ['gaming', 'gamer', 'game', 'video game', 'videojuego', 'esports', 'playstation', 'xbox', 'nintendo'],
  fitness: ['fitness', 'running', 'gym', 'gimnasio', 'yoga', 'workout', 'bodybuilding', 'physical exercise', 'pilates', 'crossfit'],
  parenting: ['parenting', 'parent', 'motherhood', 'fatherhood', 'maternidad', 'paternidad', 'baby', 'babies', 'toddler'],
  finance: ['finance', 'finanzas', 'investing', 'investment', 'inversion', 'stock market', 'banking', 'cryptocurrency', 'insurance'],
  home: ['home', 'interior design', 'furniture', 'gardening', 'diy', 'hogar', 'decoracion'],
  pets: ['pet', 'mascota', 'dog', 'perro', 'cat', 'gato', 'puppy', 'puppies', 'kitten'],
  automotive: ['automotive', 'automobile', 'car', 'coche', 'vehicle', 'vehiculo', 'motorcycle', 'moto', 'suv'],
  education: ['education', 'educacion', 'e learning', 'online learning', 'language learning', 'university', 'universities', 'universidad', 'college', 'tutoring'],
  books: ['book', 'libro', 'reading', 'lectura', 'literature', 'literatura', 'novel', 'novela', 'ebook', 'audiobook'],
};

function foldAccents(text: string): string {
  // Most names are plain ASCII: skip the (comparatively slow) Unicode normalisation for them.
  return /^[\x20-\x7e]*$/.test(text) ? text : text.normalize('NFD').replace(/\p{M}+/gu, '');
}

function keywordPattern(keyword: string): string {
  return foldAccents(keyword)
    .split(/[\s-]+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s-]?');
}

// One regex per genre, compiled once. "Word boundary" is Unicode-aware (no letter or digit on either
// side), so "Transaction" does not contain "action" and "Cattle" does not contain "cat". The greedy
// `^[\s\S]*` prefix makes a single exec return the text up to the end of the LAST keyword match.
const GENRE_PATTERNS: readonly { genre: string; regex: RegExp }[] = GENRES.map((genre) => ({
  genre,
  regex: new RegExp(
    `^[\\s\\S]*(?<![\\p{L}\\p{N}])(?:${(GENRE_KEYWORDS[genre] ?? []).map(keywordPattern).join('|')})(?:e?s)?(?![\\p{L}\\p{N}])`,
    'iu',
  ),
}));

/**
 * The content genre of an interest name or pixel content category, or null. When several genres
 * match, the one matched LAST in the text wins: in English noun phrases the last noun is the head
 * ("Sports cars" are cars → automotive, "Action games" are games → gaming, "Romantic comedy" is a
 * comedy). Ties (same end) go to the earlier genre in GENRES.
 */
export function genreOfText(text: string): string | null {
  const folded = foldAccents(text);
  let best: string | null = null;
  let bestEnd = -1;
  for (const { genre, regex } of GENRE_PATTERNS) {
    const end = regex.exec(folded)?.[0].length ?? -1;
    if (end > bestEnd) {
      bestEnd = end;
      best = genre;
    }
  }
  return best;
}

// Weight of one pixel event as evidence of what the site's buyers want. A purchase is paid intent
// (4); adding to the cart is intent not yet paid (2); viewing a product/content page is interest (1);
// a page view is mostly arrival, including bounces, so it counts half (0.5). Other events (Lead,
// Search, custom events) count as a content view (1). The ratios keep a single purchase worth the
// same as eight page views: a genre with many visitors but no buyers should not outrank one that sells.
const EVENT_WEIGHTS: ReadonlyMap<string, number> = new Map([
  ['purchase', 4],
  ['addtocart', 2],
  ['viewcontent', 1],
  ['pageview', 0.5],
]);
const OTHER_EVENT_WEIGHT = 1;

/** "AddToCart", "add_to_cart" and "Add To Cart" are the same event. */
function eventKey(eventName: string): string {
  return eventName.toLowerCase().replace(/[^a-z]/g, '');
}

function eventWeight(eventName: string): number {
  return EVENT_WEIGHTS.get(eventKey(eventName)) ?? OTHER_EVENT_WEIGHT;
}

/** Share of weighted pixel events per genre; sums to 1 over events whose category has a genre. */
export function genreShares(events: readonly PixelEventCount[]): Map<string, number> {
  const weighted = new Map<string, number>();
  let total = 0;
  for (const event of events) {
    if (!(event.count > 0)) continue;
    const genre = genreOfText(event.contentCategory);
    if (genre === null) continue;
    const w = event.count * eventWeight(event.eventName);
    weighted.set(genre, (weighted.get(genre) ?? 0) + w);
    total += w;
  }
  const shares = new Map<string, number>();
  if (total > 0) for (const [genre, w] of weighted) shares.set(genre, w / total);
  return shares;
}

/**
 * Max relative boost of an interest's score when all weighted pixel events fall in its genre.
 * 20 % lets the site's own audience decide between interests whose scores are close (within ~20 %),
 * but not lift a clearly weaker interest over a much better one: the history still leads.
 */
export const PIXEL_GENRE_BOOST = 0.2;

// ---------------------------------------------------------------- interests and behaviors

export interface SelectionResult<T> {
  selected: T[];
  trace: (SegmentExcludedEvent | SegmentRankedEvent | SegmentCutEvent)[];
}

/** The evidence a strategy states for a ranked segment; absent: it states none (the specification). */
export type EvidenceOf = (score: SegmentScore) => SegmentEvidence;

interface Candidate {
  score: SegmentScore;
  genre: string | null;
  share: number;
  boosted: number;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function limitOf(max: number): number {
  return Number.isNaN(max) ? 0 : Math.max(0, Math.floor(max));
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The audience builder's order of scored segments: composite, then id. */
export function byCompositeThenId(a: SegmentScore, b: SegmentScore): number {
  return b.composite - a.composite || compareIds(a.segmentId, b.segmentId);
}

function byBoostedThenId(a: Candidate, b: Candidate): number {
  return b.boosted - a.boosted || compareIds(a.score.segmentId, b.score.segmentId);
}


// The segments are rows of a score table: only the few that can be ranked (or cut) become
// SegmentScore objects, not every eligible one.
function rankSegments(
  scores: ScoreTable,
  type: RankedType,
  shares: ReadonlyMap<string, number>,
  max: number,
  evidenceOf: EvidenceOf | undefined,
): { ranked: Candidate[]; trace: SelectionResult<unknown>['trace'] } {
  const trace: SelectionResult<unknown>['trace'] = [];
  const { rows, composite } = scores;
  const eligible: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.segmentType !== type) continue;
    const verdict = scores.fatigue.get(i);
    if (verdict?.isFatigued === true) {
      trace.push({ kind: 'segments.excluded', segmentType: type, segmentId: row.segmentId, segmentName: row.segmentName, composite: composite[i]!, reason: verdict.reason, named: evidenceOf !== undefined });
    } else {
      eligible.push(i);
    }
  }

  const limit = limitOf(max);
  let maxShare = 0;
  for (const share of shares.values()) if (share > maxShare) maxShare = share;
  const boostCap = 1 + PIXEL_GENRE_BOOST * maxShare;

  let top: Candidate[];
  if (boostCap > 1) {
    // Only the top limit+1 (the last one is the cut line) matter. A boost multiplies a score by at most
    // boostCap, so a segment whose composite times boostCap is below the (limit+1)-th best composite
    // cannot enter them: its genre is never looked up.
    let pool = eligible;
    if (eligible.length > limit + 1) {
      const last = topK(eligible, limit + 1, (a, b) => composite[b]! - composite[a]!).at(-1);
      const floor = last === undefined ? 0 : composite[last]!;
      pool = eligible.filter((i) => composite[i]! * boostCap >= floor);
    }
    const candidates = pool.map((i): Candidate => {
      const genre = type === 'interest' ? genreOfText(rows[i]!.segmentName) : null;
      // A negative share (not produced by genreShares) would lower a score; it counts as none.
      const share = genre === null ? 0 : Math.max(0, shares.get(genre) ?? 0);
      return { score: scoreAt(scores, i), genre, share, boosted: composite[i]! * (1 + PIXEL_GENRE_BOOST * share) };
    });
    top = topK(candidates, limit + 1, byBoostedThenId);
  } else {
    // No boost: the boosted score is the composite, so the top limit+1 are taken by composite then id
    // (byBoostedThenId's order) before any candidate is built.
    const best = topK(eligible, limit + 1, (a, b) => composite[b]! - composite[a]! || compareIds(rows[a]!.segmentId, rows[b]!.segmentId));
    top = best.map((i): Candidate => ({ score: scoreAt(scores, i), genre: null, share: 0, boosted: composite[i]! }));
  }
  const ranked = top.slice(0, limit);
  // Without pixel data no genre was needed to rank; it is still named in the trace of the chosen ones.
  if (type === 'interest' && boostCap === 1) for (const c of ranked) c.genre = genreOfText(c.score.segmentName);

  ranked.forEach((c, i) => {
    trace.push({
      kind: 'segments.ranked',
      segmentType: type,
      segmentId: c.score.segmentId,
      segmentName: c.score.segmentName,
      rank: i + 1,
      composite: c.score.composite,
      confidence: c.score.confidence,
      genre: type === 'interest' ? { name: c.genre, pixelShare: c.share } : null,
      score: c.boosted,
      evidence: evidenceOf === undefined ? null : evidenceOf(c.score),
    });
  });

  const cut = top[limit];
  trace.push({
    kind: 'segments.cut',
    segmentType: type,
    eligible: eligible.length,
    max: limit,
    cut: cut === undefined ? null : { segmentId: cut.score.segmentId, segmentName: cut.score.segmentName, score: cut.boosted },
  });
  return { ranked, trace };
}

/** Top `max` interests by composite, boosted by the share of pixel events in the interest's genre. */
export function selectInterests(
  scores: ScoreTable | readonly SegmentScore[],
  shares: ReadonlyMap<string, number>,
  max: number,
  evidenceOf?: EvidenceOf,
): SelectionResult<ChosenSegment> {
  const { ranked, trace } = rankSegments(asScoreTable(scores), 'interest', shares, max, evidenceOf);
  const selected = ranked.map((c, i) => ({
    segmentId: c.score.segmentId,
    segmentName: c.score.segmentName,
    score: round4(c.boosted),
    rank: i + 1,
  }));
  return { selected, trace };
}

/** Top `max` behaviors by composite (no genre boost: behaviors are about how people buy, not what). */
export function selectBehaviors(scores: ScoreTable | readonly SegmentScore[], max: number, evidenceOf?: EvidenceOf): SelectionResult<ChosenSegment> {
  const { ranked, trace } = rankSegments(asScoreTable(scores), 'behavior', new Map(), max, evidenceOf);
  const selected = ranked.map((c, i) => ({
    segmentId: c.score.segmentId,
    segmentName: c.score.segmentName,
    score: round4(c.boosted),
    rank: i + 1,
  }));
  return { selected, trace };
}

// ---------------------------------------------------------------- custom audiences and lookalikes

/** Meta's minimum source size for a lookalike (100 people; 1,000–50,000 recommended). */
const MIN_SOURCE_SIZE = 100;

export interface AudienceEvidence {
  campaignId: string;
  total: Metrics;
  pixelEvents: readonly PixelEventCount[];
  /**
   * Custom audiences and lookalikes seen in the history. SegmentScore carries no counts, so a
   * caller may add the segment's `clicks` in the window: it is used as a lower bound of the size.
   */
  existing: readonly (SegmentScore & { clicks?: number })[];
}

interface Source {
  key: 'converters' | 'pixel_visitors' | 'engagers';
  label: string;
  size: number;
  /** False when the window cannot count it (conversions unknown, no pixel data). */
  known: boolean;
}

function sourceProposal(campaignId: string, source: Source): CustomAudienceChoice {
  return {
    audienceId: `ca_${source.key}_${campaignId}`,
    name: `Custom - ${source.label}`,
    size: source.size,
    origin: { kind: 'proposed', source: source.key },
  };
}

/**
 * Custom audiences from what the history shows, ordered best lookalike seed first. The closer a
 * source is to a purchase, the more its lookalike resembles buyers: converters (they bought), then
 * pixel visitors (they reached the site), then the account's existing custom audiences by composite
 * (proven in delivery, content unknown), then engagers (a click is the weakest signal of intent).
 */
export function buildCustomAudiences(evidence: AudienceEvidence): { selected: CustomAudienceChoice[]; trace: (AudienceSourceEvent | ExistingAudienceEvent | AudienceOrderEvent)[] } {
  const trace: (AudienceSourceEvent | ExistingAudienceEvent | AudienceOrderEvent)[] = [];
  const { campaignId, total } = evidence;

  const pixelEvents = evidence.pixelEvents.filter((e) => e.count > 0);
  // PageView counts are events, not people: one visitor views several pages, so this overstates
  // the audience. It is the only count the pixel summary gives.
  const pageViews = pixelEvents.reduce((sum, e) => (eventKey(e.eventName) === 'pageview' ? sum + e.count : sum), 0);
  const sources: Source[] = [
    { key: 'converters', label: 'converters', size: total.conversions, known: total.clicksWithConversions > 0 },
    { key: 'pixel_visitors', label: 'pixel visitors', size: pageViews, known: pixelEvents.length > 0 },
    { key: 'engagers', label: 'engagers', size: total.clicks, known: true },
  ];

  const generated = new Map<Source['key'], CustomAudienceChoice>();
  for (const source of sources) {
    const event = { kind: 'custom_audiences.source', source: source.key, size: source.size, minSize: MIN_SOURCE_SIZE } as const;
    if (!source.known) {
      trace.push({ ...event, outcome: 'unknown', audienceId: null });
    } else if (source.size < MIN_SOURCE_SIZE) {
      trace.push({ ...event, outcome: 'too_small', audienceId: null });
    } else {
      const proposal = sourceProposal(campaignId, source);
      generated.set(source.key, proposal);
      trace.push({ ...event, outcome: 'proposed', audienceId: proposal.audienceId });
    }
  }

  const generatedIds = new Set([...generated.values()].map((p) => p.audienceId));
  const kept: (SegmentScore & { clicks?: number })[] = [];
  for (const s of evidence.existing) {
    const event = { kind: 'custom_audiences.existing', segmentId: s.segmentId, segmentName: s.segmentName, segmentType: s.segmentType, composite: s.composite, fatigueReason: null, size: null } as const;
    if (s.segmentType !== 'custom_audience') trace.push({ ...event, outcome: 'not_a_source' });
    else if (s.fatigue.isFatigued) trace.push({ ...event, outcome: 'fatigued', fatigueReason: s.fatigue.reason });
    else if (!(s.composite > 0)) trace.push({ ...event, outcome: 'not_positive' });
    else if (generatedIds.has(s.segmentId)) trace.push({ ...event, outcome: 'already_proposed' });
    else kept.push(s);
  }
  kept.sort(byCompositeThenId);
  const existing = kept.map((s): CustomAudienceChoice => {
    const size = s.clicks !== undefined && s.clicks > 0 ? s.clicks : 0;
    trace.push({ kind: 'custom_audiences.existing', segmentId: s.segmentId, segmentName: s.segmentName, segmentType: s.segmentType, composite: s.composite, outcome: 'kept', fatigueReason: null, size });
    return { audienceId: s.segmentId, name: s.segmentName, size, origin: { kind: 'existing' } };
  });

  const selected: CustomAudienceChoice[] = [];
  const converters = generated.get('converters');
  const pixelVisitors = generated.get('pixel_visitors');
  const engagers = generated.get('engagers');
  if (converters) selected.push(converters);
  if (pixelVisitors) selected.push(pixelVisitors);
  selected.push(...existing);
  if (engagers) selected.push(engagers);
  trace.push({ kind: 'custom_audiences.order', proposed: selected.length, best: selected[0]?.audienceId ?? null });
  return { selected, trace };
}

// Meta accepts ratios 0.01–0.20; 1 % is the most similar to the source, 5 % trades similarity for reach.
const LOOKALIKE_RATIOS = [0.01, 0.03, 0.05] as const;

/** Lookalikes of the best custom audience in the recommended countries, tightest ratio first. */
export function buildLookalikes(
  best: CustomAudienceChoice | null,
  countryCodes: readonly string[],
  max: number,
): { selected: LookalikeChoice[]; trace: (LookalikesNoneEvent | LookalikeProposedEvent | LookalikesLimitEvent)[] } {
  const limit = Math.min(limitOf(max), LOOKALIKE_RATIOS.length);
  if (best === null) return { selected: [], trace: [{ kind: 'lookalikes.none', sourceAudienceId: null, max: limit }] };
  if (countryCodes.length === 0) return { selected: [], trace: [{ kind: 'lookalikes.none', sourceAudienceId: best.audienceId, max: limit }] };
  const countries = countryCodes.join('+');
  const selected = LOOKALIKE_RATIOS.slice(0, limit).map(
    (ratio): LookalikeChoice => ({
      sourceAudienceId: best.audienceId,
      countryCodes: [...countryCodes],
      ratio,
      name: `Lookalike ${Math.round(ratio * 100)}% - ${countries}`,
    }),
  );
  const trace: (LookalikeProposedEvent | LookalikesLimitEvent)[] = selected.map((l) => ({ kind: 'lookalikes.proposed', name: l.name, sourceAudienceId: best.audienceId, sourceSize: best.size, ratio: l.ratio, countryCodes: l.countryCodes }));
  if (limit < LOOKALIKE_RATIOS.length) trace.push({ kind: 'lookalikes.limit', max: limit, ratios: LOOKALIKE_RATIOS.length });
  return { selected, trace };
}

// ---------------------------------------------------------------- demographics

export interface DemographicChoice {
  ageMin: number;
  ageMax: number;
  gender: 'all' | 'male' | 'female';
  trace: (AgeEvent | GenderEvent | DemographicGroupEvent | DemographicTargetingEvent)[];
}

// Meta's age targeting limits; age_max 65 means "65 and older".
const META_AGE_MIN = 18;
const META_AGE_MAX = 65;
/** The ages each breakdown bucket covers, as Meta's age_min and age_max would keep it. */
export const AGE_BOUNDS: Readonly<Record<AgeBucket, readonly [number, number]>> = {
  '18-24': [18, 24],
  '25-34': [25, 34],
  '35-44': [35, 44],
  '45-54': [45, 54],
  '55-64': [55, 64],
  '65+': [65, 65],
};
// A bucket within 70 % of the best one is close enough to keep: narrower would throw away
// buckets that perform nearly as well and shrink the audience for little gain.
const AGE_KEEP_RATIO = 0.7;
// One gender is chosen only when it scores at least 1.5x the other, and both are measured with
// confidence 0.6 or more (500+ impressions each on the seed's curve), so noise does not halve reach.
const GENDER_WIN_RATIO = 1.5;
const GENDER_MIN_CONFIDENCE = 0.6;

interface GroupScore {
  metrics: Metrics;
  confidence: number;
  score: number;
  ctr: number;
  cvr: number;
  roas: number;
}

function scoreGroup(m: Metrics, priors: Priors, minorPerMajor: number): GroupScore {
  const rates = smoothedRates(m, priors, minorPerMajor);
  const confidence = confidenceFromImpressions(m.impressions);
  return { metrics: m, confidence, score: compositeScore(rates, confidence, priors), ...rates };
}

function figuresOf(g: GroupScore): GroupFigures {
  return { impressions: g.metrics.impressions, clicks: g.metrics.clicks, conversions: g.metrics.conversions, smoothedCtr: g.ctr, smoothedCvr: g.cvr, smoothedRoas: g.roas, confidence: g.confidence, score: g.score };
}

function chooseAgeRange(byAge: Map<AgeBucket, GroupScore>, trace: AgeEvent[]): { ageMin: number; ageMax: number } {
  const kind = 'demographics.age';
  const full = { ageMin: META_AGE_MIN, ageMax: META_AGE_MAX };
  if (byAge.size === 0) {
    trace.push({ kind, what: 'no_data', ...full });
    return full;
  }
  let bestBucket: AgeBucket | null = null;
  let bestScore = 0;
  for (const [bucket, g] of byAge) {
    if (g.score > bestScore) {
      bestScore = g.score;
      bestBucket = bucket;
    }
  }
  if (bestBucket === null) {
    trace.push({ kind, what: 'none_scores', buckets: byAge.size, ...full });
    return full;
  }
  const threshold = AGE_KEEP_RATIO * bestScore;
  let youngest = -1;
  let oldest = -1;
  AGE_BUCKETS.forEach((bucket, i) => {
    const g = byAge.get(bucket);
    if (g === undefined) return;
    const kept = g.score >= threshold;
    if (kept) {
      if (youngest < 0) youngest = i;
      oldest = i;
    }
    trace.push({ kind, what: 'bucket', bucket, figures: figuresOf(g), keepRatio: AGE_KEEP_RATIO, threshold, kept });
  });
  const low = AGE_BUCKETS[youngest]!;
  const high = AGE_BUCKETS[oldest]!;
  const ageMin = Math.max(META_AGE_MIN, AGE_BOUNDS[low][0]);
  const ageMax = Math.min(META_AGE_MAX, AGE_BOUNDS[high][1]);
  trace.push({ kind, what: 'range', bestBucket, bestScore, threshold, ageMin, ageMax });
  return { ageMin, ageMax };
}

function chooseGender(male: GroupScore | undefined, female: GroupScore | undefined, trace: GenderEvent[]): 'all' | 'male' | 'female' {
  const kind = 'demographics.gender';
  if (male === undefined || female === undefined) {
    trace.push({ kind, what: 'missing', maleScore: male ? male.score : null, femaleScore: female ? female.score : null });
    return 'all';
  }
  trace.push({ kind, what: 'group', gender: 'male', figures: figuresOf(male) });
  trace.push({ kind, what: 'group', gender: 'female', figures: figuresOf(female) });
  const comparison = { maleScore: male.score, femaleScore: female.score, maleConfidence: male.confidence, femaleConfidence: female.confidence, winRatio: GENDER_WIN_RATIO, minConfidence: GENDER_MIN_CONFIDENCE };
  const [leader, other, leaderName] = male.score >= female.score ? [male, female, 'male' as const] : [female, male, 'female' as const];
  if (!(leader.score > 0) || leader.score < GENDER_WIN_RATIO * other.score) {
    trace.push({ kind, what: 'no_lead', leader: leaderName, ...comparison });
    return 'all';
  }
  if (male.confidence < GENDER_MIN_CONFIDENCE || female.confidence < GENDER_MIN_CONFIDENCE) {
    trace.push({ kind, what: 'low_confidence', leader: leaderName, ...comparison });
    return 'all';
  }
  trace.push({ kind, what: 'chosen', leader: leaderName, ...comparison });
  return leaderName;
}

/** Age range and gender from the demographic breakdowns, scored like segments. */
export function chooseDemographics(
  demographics: readonly DemographicHistory[],
  settings: EngineSettings,
  minorPerMajor: number,
): DemographicChoice {
  const ageTotals = new Map<AgeBucket, Metrics>();
  const genderTotals = new Map<'male' | 'female', Metrics>();
  for (const row of demographics) {
    if (row.age !== '') {
      let m = ageTotals.get(row.age);
      if (m === undefined) ageTotals.set(row.age, (m = emptyMetrics()));
      addMetrics(m, row.total);
    }
    // Unknown gender counts toward neither: it says nothing about men versus women.
    if (row.gender === 'male' || row.gender === 'female') {
      let m = genderTotals.get(row.gender);
      if (m === undefined) genderTotals.set(row.gender, (m = emptyMetrics()));
      addMetrics(m, row.total);
    }
  }
  const priors = settings.priors;
  const byAge = new Map<AgeBucket, GroupScore>();
  for (const [bucket, m] of ageTotals) byAge.set(bucket, scoreGroup(m, priors, minorPerMajor));
  const maleTotals = genderTotals.get('male');
  const femaleTotals = genderTotals.get('female');

  const ageTrace: AgeEvent[] = [];
  const genderTrace: GenderEvent[] = [];
  const { ageMin, ageMax } = chooseAgeRange(byAge, ageTrace);
  const gender = chooseGender(
    maleTotals && scoreGroup(maleTotals, priors, minorPerMajor),
    femaleTotals && scoreGroup(femaleTotals, priors, minorPerMajor),
    genderTrace,
  );
  return { ageMin, ageMax, gender, trace: [...ageTrace, ...genderTrace] };
}
